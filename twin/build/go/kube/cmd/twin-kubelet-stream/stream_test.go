package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	restclient "k8s.io/client-go/rest"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/tools/remotecommand"
	"k8s.io/client-go/transport/spdy"
	clientexec "k8s.io/client-go/util/exec"
)

// The API server's side of the wire, as client-go speaks it (SPDY, as the API server speaks to a
// kubelet): exec exit statuses and port-forward reach the client as from a real kubelet.

const streamHook = `#!/bin/sh
case "$1" in
  exec) shift 5; exec "$@" ;;
  port-forward) [ "$4" = 8080 ] || { echo "no port $4" >&2; exit 1; }; exec cat ;;
esac
exit 99
`

func streamServer(t *testing.T) (*httptest.Server, *restclient.Config) {
	t.Helper()
	hook := filepath.Join(t.TempDir(), "hook")
	if err := os.WriteFile(hook, []byte(streamHook), 0o755); err != nil {
		t.Fatal(err)
	}
	server := httptest.NewTLSServer(newHandler(hook, t.TempDir()))
	t.Cleanup(server.Close)
	return server, &restclient.Config{Host: server.URL, TLSClientConfig: restclient.TLSClientConfig{Insecure: true}}
}

func TestExecOverSPDYGivesTheExitStatusToTheClient(t *testing.T) {
	server, config := streamServer(t)
	run := func(stdin string, cmd ...string) (string, error) {
		query := url.Values{"command": cmd, "output": {"1"}, "error": {"1"}}
		if stdin != "" {
			query.Set("input", "1")
		}
		target, _ := url.Parse(server.URL + "/exec/ns/pod/c?" + query.Encode())
		executor, err := remotecommand.NewSPDYExecutor(config, "POST", target)
		if err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		options := remotecommand.StreamOptions{Stdout: &stdout, Stderr: &stderr}
		if stdin != "" {
			options.Stdin = strings.NewReader(stdin)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err = executor.StreamWithContext(ctx, options)
		return stdout.String() + stderr.String(), err
	}
	if out, err := run("in\n", "sh", "-c", "cat; echo out; echo err >&2"); err != nil || out != "in\nout\nerr\n" {
		t.Errorf("a good command: %q, %v", out, err)
	}
	for cmd, code := range map[string]int{"false": 1, "exit 42": 42, "/no/such/command": 127} {
		_, err := run("", "sh", "-c", cmd)
		var exitErr clientexec.CodeExitError
		if !errors.As(err, &exitErr) || exitErr.Code != code {
			t.Errorf("%q: want exit status %d, got %#v", cmd, code, err)
		}
	}
}

func TestPortForwardOverSPDYCarriesTheStream(t *testing.T) {
	server, config := streamServer(t)
	transport, upgrader, err := spdy.RoundTripperFor(config)
	if err != nil {
		t.Fatal(err)
	}
	target, _ := url.Parse(server.URL + "/portForward/ns/pod")
	dialer := spdy.NewDialer(upgrader, &http.Client{Transport: transport}, "POST", target)
	stop, ready := make(chan struct{}), make(chan struct{})
	defer close(stop)
	forwarder, err := portforward.NewOnAddresses(dialer, []string{"127.0.0.1"}, []string{"0:8080"}, stop, ready, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = forwarder.ForwardPorts() }()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		t.Fatal("port-forward not ready")
	}
	ports, _ := forwarder.GetPorts()
	for i := 0; i < 2; i++ { // each connection is a hook run of its own
		conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(int(ports[0].Local))), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := conn.Write([]byte("ping\n")); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(conn).ReadString('\n')
		if err != nil || line != "ping\n" {
			t.Errorf("connection %d: read %q, %v", i, line, err)
		}
		_ = conn.Close()
	}
}
