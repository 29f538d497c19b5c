// Command kube is one multi-call binary for the Kubernetes components the twin runs as processes:
// kube-apiserver, kube-controller-manager, kube-scheduler and kube-proxy. It is run through a
// symlink named after the component (argv[0] picks it, as hyperkube did), or as
// `kube <component> [flags]`. Each component is upstream's own command constructor with the imports
// of upstream's main (k8s.io/kubernetes/cmd/<component>/<component>.go); one link instead of four
// saves build time and disk (numbers in twin/build/README.md).
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	_ "time/tzdata" // CronJob time zones (kube-apiserver, kube-controller-manager)

	"github.com/spf13/cobra"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"          // JSON log format
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // client-go metrics
	_ "k8s.io/component-base/metrics/prometheus/version"  // version metric
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	proxy "k8s.io/kubernetes/cmd/kube-proxy/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
)

var components = map[string]func() *cobra.Command{
	"kube-apiserver":          apiserver.NewAPIServerCommand,
	"kube-controller-manager": controllermanager.NewControllerManagerCommand,
	"kube-scheduler":          func() *cobra.Command { return scheduler.NewSchedulerCommand() },
	"kube-proxy":              proxy.NewProxyCommand,
}

func main() {
	name := filepath.Base(os.Args[0])
	args := os.Args[1:]
	if _, ok := components[name]; !ok && len(args) > 0 {
		name, args = args[0], args[1:]
	}
	newCommand, ok := components[name]
	if !ok {
		names := make([]string, 0, len(components))
		for n := range components {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(os.Stderr, "usage: kube COMPONENT [flags], or run it through a symlink named COMPONENT; COMPONENT is one of %s\n", strings.Join(names, ", "))
		os.Exit(2)
	}
	// Upstream's commands read os.Args (cobra's default); make it look as if the component ran alone.
	os.Args = append([]string{name}, args...)
	os.Exit(cli.Run(newCommand()))
}
