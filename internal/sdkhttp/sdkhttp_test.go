package sdkhttp

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// smithyBody behaves as smithy-go's safe request body over a bytes.Reader: Read and WriteTo
// return io.EOF once it is closed. Like the goroutine that is descheduled in the race, its
// WriteTo (net/http's drain after Content-Length bytes) waits until the body is closed, which
// the caller does as soon as the response has arrived, as smithy-go does (at most 5 s).
type smithyBody struct {
	mu     sync.Mutex
	r      *bytes.Reader
	closed chan struct{}
	once   sync.Once
}

func newSmithyBody(s string) *smithyBody {
	return &smithyBody{r: bytes.NewReader([]byte(s)), closed: make(chan struct{})}
}

func (b *smithyBody) isClosed() bool {
	select {
	case <-b.closed:
		return true
	default:
		return false
	}
}

func (b *smithyBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.isClosed() {
		return 0, io.EOF
	}
	return b.r.Read(p)
}

func (b *smithyBody) WriteTo(w io.Writer) (int64, error) {
	select {
	case <-b.closed:
	case <-time.After(5 * time.Second):
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.isClosed() {
		return 0, io.EOF
	}
	return b.r.WriteTo(w)
}

func (b *smithyBody) Close() error {
	b.once.Do(func() { close(b.closed) })
	return nil
}

// send posts body to srv through c, closes the body once the response has arrived (as
// smithy-go does) and reads the response body: once settled is closed, when it is not nil,
// else after 50 ms.
func send(t *testing.T, c interface {
	Do(*http.Request) (*http.Response, error)
}, url, body string, settled <-chan struct{}) (string, error) {
	t.Helper()
	b := newSmithyBody(body)
	req, err := http.NewRequest(http.MethodPost, url, b)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(body))
	resp, err := c.Do(req)
	_ = b.Close()
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	// Give net/http's drain, released by the Close above, time to act on the connection: until
	// it has (settled), or 50 ms where nothing tells when it has.
	if settled == nil {
		time.Sleep(50 * time.Millisecond)
	} else {
		select {
		case <-settled:
		case <-time.After(10 * time.Second): // the read below then shows what the drain did not do
		}
	}
	got, err := io.ReadAll(resp.Body)
	return string(got), err
}

// closeSignalConn closes closed when the connection is closed.
type closeSignalConn struct {
	net.Conn
	closed chan struct{}
	once   sync.Once
}

func (c *closeSignalConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { close(c.closed) })
	return err
}

// The race, made deterministic: the server answers once it has the request's Content-Length
// bytes, the body is closed, and only then does net/http drain it. Through the SDK's client the
// connection is closed under the response ("use of closed network connection"); through Wrap the
// response is read whole.
func TestClosedBodyDoesNotCloseTheConnection(t *testing.T) {
	big := strings.Repeat("r", 256<<10) // a response larger than the socket buffers
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ := io.ReadAll(r.Body)
		_, _ = io.WriteString(w, string(got)+big)
	}))
	t.Cleanup(srv.Close)

	// The read waits until the drain has closed the connection: 50 ms, as the wrapped client's
	// read below waits, is not always enough on a loaded machine, where the goroutine that drains
	// can be kept off the CPU while this one reads the response whole.
	connClosed := make(chan struct{})
	var dialer net.Dialer
	sdk := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dialer.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &closeSignalConn{Conn: c, closed: connClosed}, nil
	}}}
	got, err := send(t, sdk, srv.URL, "Action=DescribeDBClusters", connClosed)
	if err == nil {
		t.Fatalf("without Wrap the response was read (%d bytes): the race is not reproduced, so this test proves nothing", len(got))
	}
	if !strings.Contains(err.Error(), "use of closed network connection") {
		t.Fatalf("without Wrap: %v", err)
	}

	wrapped := Wrap(&http.Client{Transport: &http.Transport{}})
	got, err = send(t, wrapped, srv.URL, "Action=DescribeDBClusters", nil)
	if err != nil || got != "Action=DescribeDBClusters"+big {
		t.Fatalf("through Wrap: %v, %d bytes", err, len(got))
	}
}

// Do hides io.WriterTo and nothing else: the same bytes arrive, Close reaches the body, and
// requests without a body, or with http.NoBody, go through as they are.
func TestDoHidesWriterToOnly(t *testing.T) {
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		seen = append(seen, r.Method+" "+string(b))
	}))
	t.Cleanup(srv.Close)
	var bodies []io.ReadCloser
	c := Wrap(doFunc(func(r *http.Request) (*http.Response, error) {
		bodies = append(bodies, r.Body)
		return http.DefaultClient.Do(r)
	}))
	if Wrap(c) != c {
		t.Error("Wrap of a Client wraps it again")
	}
	b := newSmithyBody("a=1")
	req, _ := http.NewRequest(http.MethodPost, srv.URL, b)
	req.ContentLength = 3
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if _, ok := bodies[0].(io.WriterTo); ok {
		t.Error("the body sent still implements io.WriterTo")
	}
	if !b.isClosed() {
		t.Error("the body was not closed through the wrapper")
	}
	for _, body := range []io.Reader{nil, http.NoBody} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL, body)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
	}
	if bodies[1] != nil || bodies[2] != http.NoBody {
		t.Errorf("bodies passed on: %#v %#v", bodies[1], bodies[2])
	}
	if strings.Join(seen, "|") != "POST a=1|GET |GET " { // Wrap(nil)'s comes next
		t.Errorf("server saw %q", seen)
	}
	// Wrap(nil) sends through a client of its own, as an SDK service client without one does.
	if a, b := Wrap(nil), Wrap(nil); a.next == nil || a.next == b.next {
		t.Errorf("Wrap(nil) clients %p and %p share %p", a, b, a.next)
	}
	req, _ = http.NewRequest(http.MethodGet, srv.URL, nil)
	if resp, err := Wrap(nil).Do(req); err != nil {
		t.Errorf("Wrap(nil): %v", err)
	} else {
		_ = resp.Body.Close()
	}
	if len(seen) != 4 {
		t.Errorf("the Wrap(nil) request did not arrive: %q", seen)
	}
}

type doFunc func(*http.Request) (*http.Response, error)

func (f doFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }
