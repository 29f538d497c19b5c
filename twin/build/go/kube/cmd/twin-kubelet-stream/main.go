// Command twin-kubelet-stream is the twin node's kubelet endpoint for `kubectl exec`, `kubectl logs`
// and `kubectl port-forward`. The API server calls the node's kubelet port for these; kwok as
// released runs exec commands on its own host view and turns every non-zero exit into an internal
// error, so the twin points the node's kubelet port here instead.
//
// It serves the kubelet's paths with the kubelet's own streaming code (k8s.io/cri-streaming, which
// holds the remotecommand and portforward servers in 1.36) and the kubelet's own CRI log reader
// (k8s.io/cri-client/pkg/logs). What happens inside a pod is the pod runner's business, reached
// through a hook program:
//
//	exec:         HOOK exec NAMESPACE POD CONTAINER -- CMD...   stdin/stdout/stderr passed through
//	              (a pseudo-terminal when a TTY is asked for); the hook's exit status is the exec's
//	              exit status, reported as a CRI runtime reports it (so `kubectl exec -- false`
//	              exits 1, a missing command 126/127 if the hook says so).
//	port-forward: HOOK port-forward NAMESPACE POD PORT          the forwarded stream is the hook's
//	              stdin/stdout; the hook connects into the pod's network namespace.
//	logs:         read from LOGS_DIR/NAMESPACE_POD/CONTAINER.log (previous=true: CONTAINER.previous.log)
//	              in the CRI log format the kubelet reads, one line per record:
//	                2016-10-06T00:17:09.669794202Z stdout F the line
//	              (tag F = full line, P = partial). follow, sinceSeconds, sinceTime, timestamps,
//	              tailLines, limitBytes and stream work as on a kubelet; follow ends when the client
//	              goes away or the log file is removed.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	address := flag.String("address", "0.0.0.0:10250", "host:port to serve the kubelet API on")
	certFile := flag.String("tls-cert-file", "", "serving certificate (PEM); required")
	keyFile := flag.String("tls-private-key-file", "", "serving key (PEM); required")
	clientCAFile := flag.String("client-ca-file", "", "if set, require client certificates signed by this CA (as a kubelet does with --client-ca-file)")
	hook := flag.String("hook", "", "executable run for exec and port-forward (see the package comment); required")
	logsDir := flag.String("logs-dir", "", "folder holding NAMESPACE_POD/CONTAINER.log in CRI log format; required")
	flag.Parse()
	if *certFile == "" || *keyFile == "" || *hook == "" || *logsDir == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: twin-kubelet-stream --tls-cert-file FILE --tls-private-key-file FILE --hook PROGRAM --logs-dir DIR [--address HOST:PORT] [--client-ca-file FILE]")
		os.Exit(2)
	}

	tlsConfig, err := serverTLS(*certFile, *keyFile, *clientCAFile)
	if err != nil {
		log.Fatalf("twin-kubelet-stream: %v", err)
	}
	server := &http.Server{
		Addr:              *address,
		Handler:           newHandler(*hook, *logsDir),
		TLSConfig:         tlsConfig,
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          log.Default(),
	}

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-signals
		_ = server.Close()
	}()
	log.Printf("twin-kubelet-stream: serving https://%s (hook %s, logs %s)", *address, *hook, *logsDir)
	if err := server.ListenAndServeTLS("", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatalf("twin-kubelet-stream: %v", err)
	}
}

func serverTLS(certFile, keyFile, clientCAFile string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("loading the serving certificate: %w", err)
	}
	config := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if clientCAFile != "" {
		pem, err := os.ReadFile(clientCAFile)
		if err != nil {
			return nil, fmt.Errorf("reading the client CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("no certificate found in %s", clientCAFile)
		}
		config.ClientCAs = pool
		config.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return config, nil
}

// newHandler routes the kubelet paths the API server calls (pkg/kubelet/server/server.go).
func newHandler(hook, logsDir string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	for _, method := range []string{"GET", "POST"} {
		mux.HandleFunc(method+" /exec/{namespace}/{pod}/{container}", serveExec(hook))
		mux.HandleFunc(method+" /exec/{namespace}/{pod}/{uid}/{container}", serveExec(hook))
		mux.HandleFunc(method+" /portForward/{namespace}/{pod}", servePortForward(hook))
		mux.HandleFunc(method+" /portForward/{namespace}/{pod}/{uid}", servePortForward(hook))
	}
	mux.HandleFunc("GET /containerLogs/{namespace}/{pod}/{container}", serveLogs(logsDir))
	return mux
}
