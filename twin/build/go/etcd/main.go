// Command etcd is the twin's etcd: upstream's embedded server (go.etcd.io/etcd/server/v3/embed) in a
// small main, since Debian's etcd is older than Kubernetes 1.31+ accepts. One member, one data dir;
// it prints a ready line once the server serves, and stops cleanly on SIGTERM or SIGINT.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

func main() {
	name := flag.String("name", "twin", "member name")
	dataDir := flag.String("data-dir", "", "data folder; required")
	clientURL := flag.String("listen-client-urls", "http://127.0.0.1:2379", "client URL to listen on (also advertised)")
	peerURL := flag.String("listen-peer-urls", "http://127.0.0.1:2380", "peer URL to listen on (also advertised)")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	quota := flag.Int64("quota-backend-bytes", 0, "backend size limit in bytes (0: etcd's default)")
	noFsync := flag.Bool("unsafe-no-fsync", false, "skip fsync (faster; loses data on a machine crash: test clusters only)")
	startTimeout := flag.Duration("start-timeout", time.Minute, "give up if the server is not ready in this time")
	flag.Parse()
	if *dataDir == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: etcd --data-dir DIR [--listen-client-urls URL] [--listen-peer-urls URL] [--name NAME] [--log-level LEVEL] [--unsafe-no-fsync]")
		os.Exit(2)
	}

	cfg := embed.NewConfig()
	cfg.Name = *name
	cfg.Dir = *dataDir
	cfg.ListenClientUrls = []url.URL{mustURL(*clientURL)}
	cfg.AdvertiseClientUrls = cfg.ListenClientUrls
	cfg.ListenPeerUrls = []url.URL{mustURL(*peerURL)}
	cfg.AdvertisePeerUrls = cfg.ListenPeerUrls
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.LogLevel = *logLevel
	cfg.QuotaBackendBytes = *quota
	cfg.UnsafeNoFsync = *noFsync

	server, err := embed.StartEtcd(cfg)
	if err != nil {
		log.Fatalf("etcd: %v", err)
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)

	select {
	case <-server.Server.ReadyNotify():
		fmt.Fprintf(os.Stderr, "etcd: ready, serving %s\n", *clientURL)
	case err := <-server.Err():
		log.Fatalf("etcd: %v", err)
	case <-time.After(*startTimeout):
		server.Close()
		log.Fatalf("etcd: not ready after %s", *startTimeout)
	case <-signals:
		server.Close()
		return
	}

	select {
	case err := <-server.Err():
		server.Close()
		log.Fatalf("etcd: %v", err)
	case <-signals:
		server.Close() // stops the server and waits for its goroutines: the data dir is consistent
	}
}

func mustURL(raw string) url.URL {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		fmt.Fprintf(os.Stderr, "etcd: %q is not a URL like http://127.0.0.1:2379\n", raw)
		os.Exit(2)
	}
	return *u
}
