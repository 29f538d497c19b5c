package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/creack/pty"
	"k8s.io/cri-streaming/pkg/streaming/portforward"
	"k8s.io/cri-streaming/pkg/streaming/remotecommand"
	utilexec "k8s.io/utils/exec"
)

// The kubelet's defaults: --streaming-connection-idle-timeout 4h, 30 s to open the streams.
const (
	streamIdleTimeout     = 4 * time.Hour
	streamCreationTimeout = remotecommand.DefaultStreamCreationTimeout
	// How long output may still drain after the hook exited (a background child holding stdout
	// must not keep the session open forever).
	drainTimeout = 2 * time.Second
)

func serveExec(hook string) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		options, err := remotecommand.NewOptions(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		namespace, pod, container := req.PathValue("namespace"), req.PathValue("pod"), req.PathValue("container")
		command := req.URL.Query()["command"]
		if len(command) == 0 {
			http.Error(w, "no command given", http.StatusBadRequest)
			return
		}
		executor := hookExecutor{hook: hook, namespace: namespace, pod: pod}
		remotecommand.ServeExec(w, req, executor, pod, req.PathValue("uid"), container, command, options,
			streamIdleTimeout, streamCreationTimeout, remotecommand.SupportedStreamingProtocols)
	}
}

func servePortForward(hook string) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		options, err := portforward.NewV4Options(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		forwarder := hookForwarder{hook: hook, namespace: req.PathValue("namespace")}
		portforward.ServePortForward(w, req, forwarder, req.PathValue("pod"), req.PathValue("uid"), options,
			streamIdleTimeout, streamCreationTimeout, portforward.SupportedProtocols)
	}
}

// hookExecutor runs `HOOK exec NAMESPACE POD CONTAINER -- CMD...` for remotecommand.ServeExec.
type hookExecutor struct{ hook, namespace, pod string }

func (e hookExecutor) ExecInContainer(ctx context.Context, _ string, _ string, container string, cmd []string,
	stdin io.Reader, stdout, stderr io.WriteCloser, tty bool, resize <-chan remotecommand.TerminalSize, _ time.Duration,
) error {
	args := append([]string{"exec", e.namespace, e.pod, container, "--"}, cmd...)
	c := hookCommand(ctx, e.hook, args)
	var err error
	if tty {
		err = runWithTerminal(c, stdin, stdout, resize)
	} else {
		err = runWithPipes(c, stdin, stdout, stderr)
	}
	if errors.Is(err, exec.ErrWaitDelay) {
		err = nil // exited with 0; only a background child still held its output
	}
	status := exitStatus(err)
	log.Printf("exec %s/%s/%s %q: %s", e.namespace, e.pod, container, cmd, describeStatus(status, err))
	if status > 0 {
		// As containerd reports it (pkg/cri/server/container_execsync.go); ServeExec turns it into the
		// NonZeroExitCode status that kubectl exits with.
		return utilexec.CodeExitError{Err: fmt.Errorf("error executing command %v, exit code %d", cmd, status), Code: status}
	}
	if err != nil {
		return fmt.Errorf("running the exec hook: %w", err)
	}
	return nil
}

// hookCommand starts the hook in a process group of its own, so that a client going away stops
// everything it started, not just the hook.
func hookCommand(ctx context.Context, hook string, args []string) *exec.Cmd {
	c := exec.CommandContext(ctx, hook, args...)
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.Cancel = func() error { return syscall.Kill(-c.Process.Pid, syscall.SIGKILL) }
	c.WaitDelay = drainTimeout
	return c
}

func runWithPipes(c *exec.Cmd, stdin io.Reader, stdout, stderr io.Writer) error {
	if stdout != nil {
		c.Stdout = stdout
	}
	if stderr != nil {
		c.Stderr = stderr
	}
	if stdin == nil {
		return c.Run()
	}
	// Feed stdin by hand: exec's own copier would hold Wait until the client closed its stdin.
	pipe, err := c.StdinPipe()
	if err != nil {
		return err
	}
	if err := c.Start(); err != nil {
		return err
	}
	go func() {
		_, _ = io.Copy(pipe, stdin)
		_ = pipe.Close()
	}()
	return c.Wait()
}

func runWithTerminal(c *exec.Cmd, stdin io.Reader, stdout io.Writer, resize <-chan remotecommand.TerminalSize) error {
	c.SysProcAttr = &syscall.SysProcAttr{} // pty.Start makes a session (and so a process group) of its own
	terminal, err := pty.Start(c)
	if err != nil {
		return err
	}
	defer terminal.Close()
	if resize != nil {
		go func() {
			for size := range resize {
				_ = pty.Setsize(terminal, &pty.Winsize{Rows: size.Height, Cols: size.Width})
			}
		}()
	}
	if stdin != nil {
		go func() { _, _ = io.Copy(terminal, stdin) }()
	}
	copied := make(chan struct{})
	go func() {
		if stdout != nil {
			_, _ = io.Copy(stdout, terminal) // ends with EIO once the hook and its children closed the terminal
		} else {
			_, _ = io.Copy(io.Discard, terminal)
		}
		close(copied)
	}()
	err = c.Wait()
	select {
	case <-copied:
	case <-time.After(drainTimeout):
	}
	return err
}

// exitStatus is the hook's exit status as a container runtime reports it: the exit code, or 128+N
// when signal N ended it; -1 when the hook did not run or ended normally with 0.
func exitStatus(err error) int {
	var exitError *exec.ExitError
	if !errors.As(err, &exitError) {
		return -1
	}
	if status, ok := exitError.Sys().(syscall.WaitStatus); ok && status.Signaled() {
		return 128 + int(status.Signal())
	}
	return exitError.ExitCode()
}

func describeStatus(status int, err error) string {
	switch {
	case status >= 0:
		return "exit " + strconv.Itoa(status)
	case err != nil:
		return err.Error()
	default:
		return "exit 0"
	}
}

// hookForwarder runs `HOOK port-forward NAMESPACE POD PORT` per forwarded connection.
type hookForwarder struct{ hook, namespace string }

func (f hookForwarder) PortForward(ctx context.Context, pod string, _ string, port int32, stream io.ReadWriteCloser) error {
	c := hookCommand(ctx, f.hook, []string{"port-forward", f.namespace, pod, strconv.Itoa(int(port))})
	var stderr tailBuffer
	if err := runWithPipes(c, stream, stream, &stderr); err != nil && !errors.Is(err, exec.ErrWaitDelay) {
		return fmt.Errorf("port-forward to %s/%s:%d: %v: %s", f.namespace, pod, port, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// tailBuffer keeps the last 4 KiB written to it (a hook's stderr, for error messages).
type tailBuffer struct {
	mu   sync.Mutex
	data []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.data = append(b.data, p...)
	if over := len(b.data) - 4096; over > 0 {
		b.data = b.data[over:]
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.data)
}
