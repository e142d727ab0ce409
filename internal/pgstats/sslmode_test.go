package pgstats

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

func TestEffectiveSSLMode(t *testing.T) {
	for _, c := range []struct{ mode, root, want string }{
		{"", "", "prefer"},
		{"", "/ca.pem", "prefer"}, // as libpq: a tunnel, an IP address or an alias keeps connecting
		{"require", "", "require"},
		{"require", "/ca.pem", "verify-ca"},
		{"prefer", "/ca.pem", "prefer"}, // asked for explicitly
		{"disable", "/ca.pem", "disable"},
		{"verify-ca", "/ca.pem", "verify-ca"},
		{"verify-full", "", "verify-full"},
		{"", "system", "verify-full"},
		{"require", "system", "verify-full"},
	} {
		if got := EffectiveSSLMode(c.mode, c.root); got != c.want {
			t.Errorf("EffectiveSSLMode(%q, %q) = %q, want %q", c.mode, c.root, got, c.want)
		}
	}
	for mode, want := range map[string]bool{"disable": false, "allow": false, "prefer": false, "require": false, "verify-ca": true, "verify-full": true} {
		if VerifiesServer(mode) != want {
			t.Errorf("VerifiesServer(%q) = %v", mode, !want)
		}
	}
}

// testCA is a certificate authority for the TLS tests.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	path string // PEM file of cert
}

func newTestCA(t *testing.T) testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "rightsize test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ca-bundle.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return testCA{cert: cert, key: key, path: path}
}

// serverCert returns a server certificate for the given DNS name or IP address, signed by ca, or
// self-signed when ca is nil.
func serverCert(t *testing.T, ca *testCA, name string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	if ip := net.ParseIP(name); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{name}
	}
	parent, signer := tmpl, any(key)
	if ca != nil {
		parent, signer = ca.cert, ca.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// fakeServer listens on 127.0.0.1 and, for every connection, answers an SSLRequest with 'N'
// (cert nil: it refuses TLS) or with a TLS handshake presenting cert, then asks for a cleartext
// password and sends what the client gives it on the returned channel. It stands for an impostor
// at the configured address (DNS spoofing, a hijacked address, a man in the middle), or, with a
// certificate from the trusted CA for the address, for the genuine server.
func fakeServer(t *testing.T, cert *tls.Certificate) (host string, port int, got <-chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	ch := make(chan string, 4)
	serve := func(c net.Conn) {
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		conn := c
		be := pgproto3.NewBackend(conn, conn)
		msg, err := be.ReceiveStartupMessage()
		if err != nil {
			return
		}
		if _, ok := msg.(*pgproto3.SSLRequest); ok {
			if cert != nil {
				if _, err := conn.Write([]byte{'S'}); err != nil {
					return
				}
				tc := tls.Server(conn, &tls.Config{Certificates: []tls.Certificate{*cert}})
				if err := tc.Handshake(); err != nil {
					return // the client refused the certificate
				}
				conn = tc
			} else if _, err := conn.Write([]byte{'N'}); err != nil {
				return
			}
			be = pgproto3.NewBackend(conn, conn)
			if msg, err = be.ReceiveStartupMessage(); err != nil {
				return
			}
		}
		if _, ok := msg.(*pgproto3.StartupMessage); !ok {
			return
		}
		be.Send(&pgproto3.AuthenticationCleartextPassword{})
		if err := be.Flush(); err != nil {
			return
		}
		if err := be.SetAuthType(pgproto3.AuthTypeCleartextPassword); err != nil {
			return
		}
		pm, err := be.Receive()
		if err != nil {
			return
		}
		if p, ok := pm.(*pgproto3.PasswordMessage); ok {
			ch <- p.Password
		}
		be.Send(&pgproto3.ErrorResponse{Severity: "FATAL", Code: "28P01", Message: "password authentication failed"})
		_ = be.Flush()
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(c) // a prefer/allow fallback opens a second connection
		}
	}()
	h, p, _ := net.SplitHostPort(ln.Addr().String())
	port, _ = strconv.Atoi(p)
	return h, port, ch
}

// TestConnect_rootCertVerifiesServer: with sslrootcert given (the user's CA bundle, for RDS the
// one from AWS) and sslmode verify-full, a server that refuses TLS, presents a certificate not
// from that CA, or one from it for another host never receives the password, and the genuine
// server (the CA's certificate for the address) does. verify-ca, and require with sslrootcert
// (verify-ca, as libpq has it), want the certificate from the CA, for any host name. The last
// cases are what the provider's warning is about: the default sslmode, prefer (with or without a
// CA, as in libpq), hands the password to a server that refuses TLS.
func TestConnect_rootCertVerifiesServer(t *testing.T) {
	ca := newTestCA(t)
	t.Setenv("PGSSLROOTCERT", "")
	const password = "Prod-Master-Password-1"
	genuine, otherHost, selfSigned := serverCert(t, &ca, "127.0.0.1"), serverCert(t, &ca, "db.example.internal"), serverCert(t, nil, "127.0.0.1")
	for _, c := range []struct {
		name, sslmode, rootCert string
		server                  *tls.Certificate
		sent                    bool
	}{
		{"verify-full+rootcert/no TLS", "verify-full", ca.path, nil, false},
		{"verify-full+rootcert/CA cert for another host", "verify-full", ca.path, &otherHost, false},
		{"verify-full+rootcert/genuine", "verify-full", ca.path, &genuine, true},
		{"verify-ca+rootcert/self-signed", "verify-ca", ca.path, &selfSigned, false},
		{"verify-ca+rootcert/CA cert for another host", "verify-ca", ca.path, &otherHost, true},
		{"require+rootcert/no TLS", "require", ca.path, nil, false},
		{"require+rootcert/self-signed", "require", ca.path, &selfSigned, false},
		{"require+rootcert/CA cert for another host", "require", ca.path, &otherHost, true},
		{"verify-full+rootcert/self-signed", "verify-full", ca.path, &selfSigned, false},
		{"control: default without rootcert/no TLS", "", "", nil, true},
		{"control: default with rootcert/no TLS (libpq's prefer)", "", ca.path, nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			host, port, got := fakeServer(t, c.server)
			_, err := Connect(context.Background(), ConnConfig{Host: host, Port: port, User: "rightsize", Password: password,
				SSLMode: c.sslmode, SSLRootCert: c.rootCert, ConnectTimeout: 3 * time.Second})
			if err == nil {
				t.Fatal("Connect succeeded against a server that refuses every password")
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("the error contains the password: %v", err)
			}
			want := EffectiveSSLMode(c.sslmode, c.rootCert)
			if !strings.Contains(err.Error(), "sslmode "+want) {
				t.Errorf("the error does not name the effective sslmode %s: %v", want, err)
			}
			var sent string
			select {
			case sent = <-got:
			case <-time.After(500 * time.Millisecond):
			}
			switch {
			case c.sent && sent != password:
				t.Errorf("the server did not receive the password (got %q): %v", sent, err)
			case !c.sent && sent != "":
				t.Errorf("sslmode %q with sslrootcert %q sent the password to a server it cannot verify (%s): %v",
					c.sslmode, c.rootCert, c.name, err)
			}
		})
	}
}

// TestConnect_pgSSLRootCertEnv: a root CA file given by PGSSLROOTCERT (which pgx reads when
// sslrootcert is not set) makes require verify-ca as well.
func TestConnect_pgSSLRootCertEnv(t *testing.T) {
	ca := newTestCA(t)
	t.Setenv("PGSSLROOTCERT", ca.path)
	host, port, got := fakeServer(t, nil)
	_, err := Connect(context.Background(), ConnConfig{Host: host, Port: port, User: "rightsize", Password: "pw-from-config",
		SSLMode: "require", ConnectTimeout: 3 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "sslmode verify-ca") {
		t.Errorf("Connect: %v, want a verify-ca failure", err)
	}
	select {
	case pw := <-got:
		t.Errorf("a server refusing TLS received the password %q", pw)
	case <-time.After(500 * time.Millisecond):
	}
}

// TestConnect_defaultRootCert: without sslrootcert or PGSSLROOTCERT, pgx (as libpq) takes
// ~/.postgresql/root.crt, when it exists, as the root CA file (DefaultRootCert, HOME's), and so
// connects with require as with verify-ca: a server presenting a certificate not from that CA (or
// refusing TLS) does not receive the password, one with the CA's certificate for any host name
// does, and the error names the sslmode the connection used, verify-ca, and why. Without the file
// require sends the password to any certificate; prefer never checks it.
func TestConnect_defaultRootCert(t *testing.T) {
	ca := newTestCA(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("PGSSLROOTCERT", "")
	t.Setenv("PGSERVICE", "")
	rootCrt := filepath.Join(home, ".postgresql", "root.crt")
	if DefaultRootCert(os.Getenv) != "" {
		t.Fatalf("DefaultRootCert = %q before the file exists", DefaultRootCert(os.Getenv))
	}
	const password = "Prod-Master-Password-2"
	otherHost, selfSigned := serverCert(t, &ca, "db.example.internal"), serverCert(t, nil, "127.0.0.1")
	try := func(t *testing.T, sslmode string, server *tls.Certificate) (sent bool, err error) {
		t.Helper()
		host, port, got := fakeServer(t, server)
		_, err = Connect(context.Background(), ConnConfig{Host: host, Port: port, User: "rightsize", Password: password,
			SSLMode: sslmode, ConnectTimeout: 3 * time.Second})
		if err == nil {
			t.Fatal("Connect succeeded against a server that refuses every password")
		}
		select {
		case pw := <-got:
			return pw == password, err
		case <-time.After(500 * time.Millisecond):
			return false, err
		}
	}
	t.Run("no root.crt: require sends to any certificate", func(t *testing.T) {
		if sent, err := try(t, "require", &selfSigned); !sent || !strings.Contains(err.Error(), "sslmode require)") {
			t.Errorf("sent %v: %v; want the password sent, under sslmode require", sent, err)
		}
	})
	if err := os.MkdirAll(filepath.Dir(rootCrt), 0o700); err != nil {
		t.Fatal(err)
	}
	pemBytes, err := os.ReadFile(ca.path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rootCrt, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	if got := DefaultRootCert(os.Getenv); got != rootCrt {
		t.Fatalf("DefaultRootCert = %q, want %s", got, rootCrt)
	}
	for _, c := range []struct {
		name, sslmode string
		server        *tls.Certificate
		sent          bool
		mode          string // in the error
	}{
		{"require/self-signed", "require", &selfSigned, false, "sslmode verify-ca: require with the root CA file " + rootCrt},
		{"require/no TLS", "require", nil, false, "sslmode verify-ca: require with the root CA file " + rootCrt},
		{"require/CA cert for another host", "require", &otherHost, true, "sslmode verify-ca: require with the root CA file " + rootCrt},
		{"prefer/self-signed", "", &selfSigned, true, "sslmode prefer)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			sent, err := try(t, c.sslmode, c.server)
			if sent != c.sent {
				t.Errorf("password sent: %v, want %v (%v)", sent, c.sent, err)
			}
			if !strings.Contains(err.Error(), c.mode) {
				t.Errorf("the error does not say %q: %v", c.mode, err)
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("the error contains the password: %v", err)
			}
		})
	}
}
