package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	internalapi "k8s.io/cri-api/pkg/apis"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	"k8s.io/cri-client/pkg/logs"
)

// serveLogs answers GET /containerLogs/{namespace}/{pod}/{container} from the pod runner's log file,
// with the kubelet's own reader (the format is in the package comment).
func serveLogs(logsDir string) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		query := req.URL.Query()
		options, previous, stream, err := logOptions(query, time.Now())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		namespace, pod, container := req.PathValue("namespace"), req.PathValue("pod"), req.PathValue("container")
		name := container + ".log"
		if previous {
			name = container + ".previous.log"
		}
		path := filepath.Join(logsDir, namespace+"_"+pod, name)
		if _, err := os.Stat(path); err != nil {
			what := "container"
			if previous {
				what = "previous terminated container"
			}
			http.Error(w, fmt.Sprintf("%s %q in pod %q has no log (%s)", what, container, pod, path), http.StatusNotFound)
			return
		}
		out := flushWriter{w: w, flusher: w.(http.Flusher)}
		var stdout, stderr io.Writer = out, out
		switch stream {
		case "Stdout":
			stderr = nil
		case "Stderr":
			stdout = nil
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Transfer-Encoding", "chunked")
		w.WriteHeader(http.StatusOK)
		if err := logs.ReadLogs(req.Context(), path, path, options, logFileRuntime{}, stdout, stderr); err != nil && req.Context().Err() == nil {
			fmt.Fprintf(out, "\nerror reading %s: %v\n", path, err)
		}
	}
}

// logOptions reads the kubelet's containerLogs query (v1.PodLogOptions as URL parameters).
func logOptions(query url.Values, now time.Time) (options *logs.LogOptions, previous bool, stream string, err error) {
	options = &logs.LogOptions{}
	boolean := func(name string) bool { v := query.Get(name); return v == "true" || v == "1" }
	integer := func(name string) (*int64, error) {
		v := query.Get(name)
		if v == "" {
			return nil, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%s=%q is not a non-negative integer", name, v)
		}
		return &n, nil
	}
	options.Follow = boolean("follow")
	options.Timestamp = boolean("timestamps")
	previous = boolean("previous")
	if tail := query.Get("tail"); tail != "" && query.Get("tailLines") == "" && tail != "all" {
		query.Set("tailLines", tail) // the kubelet's legacy spelling
	}
	if options.TailLines, err = integer("tailLines"); err != nil {
		return nil, false, "", err
	}
	if options.LimitBytes, err = integer("limitBytes"); err != nil {
		return nil, false, "", err
	}
	seconds, err := integer("sinceSeconds")
	if err != nil {
		return nil, false, "", err
	}
	if seconds != nil {
		options.Since = now.Add(-time.Duration(*seconds) * time.Second)
	}
	if v := query.Get("sinceTime"); v != "" {
		since, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return nil, false, "", fmt.Errorf("sinceTime=%q is not an RFC 3339 time", v)
		}
		options.Since = since
	}
	stream = query.Get("stream")
	switch stream {
	case "", "All", "Stdout", "Stderr":
	default:
		return nil, false, "", fmt.Errorf("stream=%q: use All, Stdout or Stderr", stream)
	}
	return options, previous, stream, nil
}

// logFileRuntime answers the one question ReadLogs asks a runtime while following: is the container
// still running? Here: while its log file exists (the container ID passed to ReadLogs is the path).
type logFileRuntime struct{ internalapi.RuntimeService }

func (logFileRuntime) ContainerStatus(_ context.Context, path string, _ bool) (*runtimeapi.ContainerStatusResponse, error) {
	state := runtimeapi.ContainerState_CONTAINER_RUNNING
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		state = runtimeapi.ContainerState_CONTAINER_EXITED
	}
	return &runtimeapi.ContainerStatusResponse{Status: &runtimeapi.ContainerStatus{State: state}}, nil
}

// flushWriter sends each write to the client at once, as the kubelet's flushwriter does.
type flushWriter struct {
	w       io.Writer
	flusher http.Flusher
}

func (f flushWriter) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	f.flusher.Flush()
	return n, err
}
