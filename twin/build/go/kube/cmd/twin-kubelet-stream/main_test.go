package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	utilexec "k8s.io/utils/exec"
)

// A hook like the pod runner's: `exec NS POD CONTAINER -- CMD...` runs CMD with sh's exit status.
const fakeHook = `#!/bin/sh
verb=$1; shift
if [ "$verb" = exec ]; then
  echo "in $1/$2/$3" >&2
  shift 4
  exec "$@"
fi
exit 99
`

func writeHook(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hook")
	if err := os.WriteFile(path, []byte(fakeHook), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

type buffer struct{ bytes.Buffer }

func (*buffer) Close() error { return nil }

func TestExecReportsTheHooksExitStatusAsARuntimeDoes(t *testing.T) {
	executor := hookExecutor{hook: writeHook(t), namespace: "ns", pod: "p"}
	cases := []struct {
		cmd  []string
		code int // 0: success
		out  string
	}{
		{[]string{"sh", "-c", "echo hi; read line; echo got $line"}, 0, "hi\ngot input\n"},
		{[]string{"false"}, 1, ""},
		{[]string{"sh", "-c", "exit 3"}, 3, ""},
		{[]string{"/no/such/command"}, 127, ""},
		{[]string{"sh", "-c", "kill -TERM $$"}, 128 + 15, ""},
	}
	for _, c := range cases {
		var stdout, stderr buffer
		err := executor.ExecInContainer(context.Background(), "", "", "c", c.cmd, strings.NewReader("input\n"), &stdout, &stderr, false, nil, 0)
		if c.code == 0 {
			if err != nil {
				t.Errorf("%q: %v", c.cmd, err)
			}
		} else {
			var exitErr utilexec.CodeExitError
			if !errors.As(err, &exitErr) || !exitErr.Exited() || exitErr.ExitStatus() != c.code {
				t.Errorf("%q: want exit status %d as a CodeExitError, got %#v", c.cmd, c.code, err)
			}
		}
		if stdout.String() != c.out {
			t.Errorf("%q: stdout %q, want %q", c.cmd, stdout.String(), c.out)
		}
		if !strings.HasPrefix(stderr.String(), "in ns/p/c\n") {
			t.Errorf("%q: stderr %q does not show the hook's arguments", c.cmd, stderr.String())
		}
	}
}

func TestExecWithoutAHookIsAnInternalError(t *testing.T) {
	executor := hookExecutor{hook: "/no/such/hook", namespace: "ns", pod: "p"}
	var stdout buffer
	err := executor.ExecInContainer(context.Background(), "", "", "c", []string{"true"}, nil, &stdout, nil, false, nil, 0)
	var exitErr utilexec.CodeExitError
	if err == nil || errors.As(err, &exitErr) {
		t.Fatalf("want a plain error, got %#v", err)
	}
}

func TestLogsReadTheCRIFileWithTheKubeletsOptions(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "ns_p"), 0o755); err != nil {
		t.Fatal(err)
	}
	lines := "2026-01-01T00:00:01.000000000Z stdout F one\n" +
		"2026-01-01T00:00:02.000000000Z stderr F two\n" +
		"2026-01-01T00:00:03.000000000Z stdout P thr\n" +
		"2026-01-01T00:00:03.000000001Z stdout F ee\n"
	if err := os.WriteFile(filepath.Join(dir, "ns_p", "c.log"), []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	server := httptest.NewServer(newHandler("/bin/false", dir))
	defer server.Close()
	get := func(query string) (int, string) {
		response, err := http.Get(server.URL + "/containerLogs/ns/p/c" + query)
		if err != nil {
			t.Fatal(err)
		}
		defer response.Body.Close()
		body, _ := io.ReadAll(response.Body)
		return response.StatusCode, string(body)
	}
	for _, c := range []struct{ query, want string }{
		{"", "one\ntwo\nthree\n"},
		{"?tailLines=2", "three\n"}, // tailLines counts records, as the kubelet does: P + F here
		{"?stream=Stderr", "two\n"},
		{"?sinceTime=2026-01-01T00:00:02Z", "two\nthree\n"},
		{"?timestamps=true&tailLines=3", "2026-01-01T00:00:02.000000000Z two\n2026-01-01T00:00:03.000000000Z three\n"},
		{"?limitBytes=6", "one\ntw"},
	} {
		if code, body := get(c.query); code != 200 || body != c.want {
			t.Errorf("%q: got %d %q, want %q", c.query, code, body, c.want)
		}
	}
	if code, _ := get("?tailLines=x"); code != http.StatusBadRequest {
		t.Errorf("a bad tailLines: got %d, want 400", code)
	}
	if code, _ := get("?previous=true"); code != http.StatusNotFound {
		t.Errorf("no previous log: got %d, want 404", code)
	}
}

func TestExecWithATTYRunsTheHookOnATerminal(t *testing.T) {
	executor := hookExecutor{hook: writeHook(t), namespace: "ns", pod: "p"}
	var stdout buffer
	err := executor.ExecInContainer(context.Background(), "", "", "c", []string{"sh", "-c", "test -t 0 && test -t 1 && echo on a tty; exit 5"},
		strings.NewReader(""), &stdout, nil, true, nil, 0)
	var exitErr utilexec.CodeExitError
	if !errors.As(err, &exitErr) || exitErr.ExitStatus() != 5 {
		t.Errorf("want exit status 5, got %#v", err)
	}
	if !strings.Contains(stdout.String(), "on a tty") {
		t.Errorf("output %q: the command did not see a terminal", stdout.String())
	}
}
