// Command coredns is the twin's CoreDNS: upstream's server at a pinned release with only the
// plugins the twin's Corefile (fixtures/twin/coredns.yaml) uses, as CoreDNS's own plugin.cfg
// mechanism allows (core/dnsserver.Directives, then each plugin's package registers itself). The
// full build's cloud DNS plugins (route53, azure, clouddns) and the rest are about half of its
// compile time and nothing the twin runs.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	// The Corefile's plugins, and nothing else.
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/loop"
	_ "github.com/coredns/coredns/plugin/metrics"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/reload"
	_ "github.com/coredns/coredns/plugin/template"
)

// directives in the order of upstream's plugin.cfg (core/dnsserver/zdirectives.go): the order in
// which a query passes the plugins, whatever order the Corefile names them in.
var directives = []string{
	"reload",
	"ready",
	"health",
	"prometheus",
	"errors",
	"loadbalance",
	"cache",
	"template",
	"kubernetes",
	"loop",
}

func init() {
	dnsserver.Directives = directives
}

func main() {
	coremain.Run()
}
