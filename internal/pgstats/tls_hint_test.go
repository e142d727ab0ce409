package pgstats

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
)

// TestConnect_tlsVerificationHints: with sslmode verify-full, a server whose certificate is
// signed by an authority this machine does not trust (as every RDS and Aurora server's is, by the
// RDS CAs) fails with advice to set sslrootcert to the RDS bundle; one whose certificate does not
// name the host connected to (an IP address, here) fails with advice to connect by the name it
// lists; with the authority given and the name it lists, the connection is made. A server of the
// test's own (TLS turned on), not the shared one.
func TestConnect_tlsVerificationHints(t *testing.T) {
	u, err := url.Parse(acctest.StartPostgres(t))
	if err != nil {
		t.Fatal(err)
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "rightsize-tls-") //nolint:usetesting // the server runs as postgres and reads its key from here
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil { //nolint:gosec // the postgres user must reach the files
		t.Fatal(err)
	}
	caFile, certFile, keyFile := writeTestCerts(t, dir, "localhost")
	if os.Geteuid() == 0 {
		if out, err := exec.Command("chown", "postgres:", certFile, keyFile).CombinedOutput(); err != nil {
			t.Fatalf("chown: %v: %s", err, out)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = admin.Close(context.Background()) }()
	for _, stmt := range []string{"ALTER SYSTEM SET ssl_cert_file = '" + certFile + "'", "ALTER SYSTEM SET ssl_key_file = '" + keyFile + "'",
		"ALTER SYSTEM SET ssl = on", "SELECT pg_reload_conf()"} {
		if _, err := admin.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	t.Setenv("PGSSLROOTCERT", "")
	connect := func(host, rootCert string) error {
		var err error
		poll(t, 10*time.Second, "the server's TLS configuration loaded", func() (bool, error) {
			var c *pgx.Conn
			c, err = Connect(ctx, ConnConfig{Host: host, Port: port, User: "postgres", Database: "postgres", SSLMode: "verify-full", SSLRootCert: rootCert})
			if err == nil {
				_ = c.Close(context.Background())
				return true, nil
			}
			// Before the reload takes, the server refuses TLS: wait for the verification's own errors.
			return !strings.Contains(err.Error(), "server refused TLS connection"), nil
		})
		return err
	}
	if err := connect("localhost", ""); err == nil || !strings.Contains(err.Error(), "signed by a certificate authority this machine does not trust") ||
		!strings.Contains(err.Error(), RDSCABundleURL) {
		t.Errorf("an authority not trusted: %v, want advice to set sslrootcert to the RDS bundle", err)
	}
	if err := connect("127.0.0.1", caFile); err == nil || !strings.Contains(err.Error(), "does not name the host connected to, 127.0.0.1") ||
		!strings.Contains(err.Error(), "sslmode verify-ca") {
		t.Errorf("a certificate for localhost, connected to by IP: %v, want advice to connect by the name it lists", err)
	}
	if err := connect("localhost", caFile); err != nil {
		t.Errorf("the authority given, the name the certificate lists: %v", err)
	}
}

// writeTestCerts writes a CA, and a server certificate for dnsName signed by it, into dir; it
// returns the CA's, the certificate's and its key's paths.
func writeTestCerts(t *testing.T, dir, dnsName string) (caFile, certFile, keyFile string) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "rightsize test CA"}, NotBefore: now.Add(-time.Hour),
		NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: dnsName}, DNSNames: []string{dnsName},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	caFile, certFile, keyFile = filepath.Join(dir, "ca.crt"), filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
	for _, f := range []struct {
		path, kind string
		der        []byte
		mode       os.FileMode
	}{{caFile, "CERTIFICATE", caDER, 0o644}, {certFile, "CERTIFICATE", der, 0o644}, {keyFile, "EC PRIVATE KEY", keyDER, 0o600}} {
		if err := os.WriteFile(f.path, pem.EncodeToMemory(&pem.Block{Type: f.kind, Bytes: f.der}), f.mode); err != nil {
			t.Fatal(err)
		}
	}
	return caFile, certFile, keyFile
}
