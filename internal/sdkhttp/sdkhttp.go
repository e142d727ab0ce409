// Package sdkhttp is the HTTP client the provider gives its AWS SDK service clients: the SDK's
// own, with request bodies that hide io.WriterTo. That works around a race between smithy-go
// and net/http which closes a connection while a response on it is still being read:
//
//  1. smithy-go wraps each request body in a "safe" reader that also implements io.WriterTo when
//     the body does (its bytes.Reader does), and closes it as soon as the response has arrived;
//  2. net/http, having written Content-Length bytes of the body, drains the rest of it (io.Copy
//     to io.Discard, which calls WriteTo) and then closes it. If the server has already answered
//     and smithy-go has closed the body in between, that WriteTo returns io.EOF, which net/http
//     takes for a failed request write: it closes the connection, and the response body being
//     read on it fails with "use of closed network connection" (the SDK's "deserialization
//     failed"). A retrying client sends the request again; one without retries fails.
//
// Without WriteTo the drain calls Read, and a closed body reads as a clean io.EOF. Found with the
// sandbox, whose answers are fast enough to hit the window: see the package test for how it was
// measured.
package sdkhttp

import (
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// Client sends requests through another client with their bodies' io.WriterTo hidden. It
// implements aws.HTTPClient. Make one with Wrap; the zero value has nothing to send through.
type Client struct {
	next aws.HTTPClient
}

// Wrap returns a Client sending through next, or, when next is nil, through a new client of
// the SDK's default kind (awshttp.NewBuildableClient(), with its own connection pool, as a
// service client without an HTTPClient gets). For a service client's options:
// o.HTTPClient = sdkhttp.Wrap(o.HTTPClient). A Client is returned as it is.
func Wrap(next aws.HTTPClient) *Client {
	if c, ok := next.(*Client); ok {
		return c
	}
	if next == nil {
		next = awshttp.NewBuildableClient()
	}
	return &Client{next: next}
}

// Do sends r. A body that implements io.WriterTo is replaced by one that reads and closes the
// same body but does not; everything else about r is unchanged.
func (c *Client) Do(r *http.Request) (*http.Response, error) {
	if _, ok := r.Body.(io.WriterTo); ok && r.Body != http.NoBody {
		r.Body = readCloser{r.Body}
	}
	return c.next.Do(r)
}

// readCloser exposes Read and Close only.
type readCloser struct{ rc io.ReadCloser }

func (b readCloser) Read(p []byte) (int, error) { return b.rc.Read(p) }
func (b readCloser) Close() error               { return b.rc.Close() }
