package netguard

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeDNS answers from a map; a name not in it does not resolve. Each
// answer can change between calls (rebinding).
type fakeDNS struct {
	answers map[string][]func() netip.Addr
	calls   map[string]int
}

func (f *fakeDNS) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	seq, ok := f.answers[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	i := f.calls[host]
	f.calls[host]++
	if i >= len(seq) {
		i = len(seq) - 1
	}
	return []netip.Addr{seq[i]()}, nil
}

func addr(s string) func() netip.Addr { return func() netip.Addr { return netip.MustParseAddr(s) } }

func TestCheckURLRefusesPrivateAndOddURLs(t *testing.T) {
	dns := &fakeDNS{answers: map[string][]func() netip.Addr{
		"gw.example.com":       {addr("93.184.216.34")},
		"internal.example.com": {addr("10.1.2.3")},
		"meta.example.com":     {addr("169.254.169.254")},
		"v6local.example.com":  {addr("::1")},
		"mapped.example.com":   {addr("::ffff:127.0.0.1")},
		"cgnat.example.com":    {addr("100.64.1.1")},
	}}
	p := &Policy{Resolver: dns, AllowHosts: []string{"fake-gw.test:8443"}}
	ctx := context.Background()
	cases := []struct {
		url  string
		want error
	}{
		{"https://gw.example.com/send", nil},
		{"http://gw.example.com/send", ErrInvalidURL},      // plain http to a public host
		{"ftp://gw.example.com/", ErrInvalidURL},           // not http(s)
		{"https://user:pw@gw.example.com/", ErrInvalidURL}, // user info
		{"https:///nohost", ErrInvalidURL},                 // no host
		{"gw.example.com/send", ErrInvalidURL},             // not absolute
		{"https://127.0.0.1/", ErrRefusedAddress},          // loopback
		{"https://127.0.0.1:8080/", ErrRefusedAddress},     // loopback with a port
		{"https://169.254.169.254/latest/meta-data/", ErrRefusedAddress},
		{"https://[::1]/", ErrRefusedAddress},
		{"https://[::ffff:10.0.0.1]/", ErrRefusedAddress}, // IPv4-mapped private
		{"https://10.0.0.1/", ErrRefusedAddress},
		{"https://172.16.5.4/", ErrRefusedAddress},
		{"https://192.168.1.1/", ErrRefusedAddress},
		{"https://100.64.0.1/", ErrRefusedAddress},           // CGNAT
		{"https://0.0.0.0/", ErrRefusedAddress},              // unspecified
		{"https://224.0.0.1/", ErrRefusedAddress},            // multicast
		{"https://[fe80::1]/", ErrRefusedAddress},            // link-local v6
		{"https://[fc00::1]/", ErrRefusedAddress},            // unique local v6
		{"https://internal.example.com/", ErrRefusedAddress}, // a name resolving to a private address
		{"https://meta.example.com/", ErrRefusedAddress},
		{"https://v6local.example.com/", ErrRefusedAddress},
		{"https://mapped.example.com/", ErrRefusedAddress},
		{"https://cgnat.example.com/", ErrRefusedAddress},
		{"https://nowhere.example.com/", ErrUnresolvable},
		{"http://fake-gw.test:8443/x", nil},           // allow-listed host:port, http allowed
		{"http://fake-gw.test:9999/x", ErrInvalidURL}, // another port is not allow-listed
	}
	for _, c := range cases {
		err := p.CheckURL(ctx, c.url)
		if !errors.Is(err, c.want) && !(c.want == nil && err == nil) {
			t.Errorf("CheckURL(%q) = %v, want %v", c.url, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "10.") {
			t.Errorf("CheckURL(%q): error names an address: %v", c.url, err)
		}
	}
}

func TestClientRefusesAtDialTimeAndNeverFollowsRedirects(t *testing.T) {
	var hits atomic.Int32
	inner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer inner.Close()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, inner.URL+"/private", http.StatusFound)
	}))
	defer redirector.Close()
	ru, _ := url.Parse(redirector.URL)
	iu, _ := url.Parse(inner.URL)

	// The redirector is allow-listed (as an operator would allow an
	// internal gateway); the server it redirects to is not.
	p := &Policy{AllowHosts: []string{ru.Host}}
	c := p.Client(5 * time.Second)
	req, _ := http.NewRequest(http.MethodPost, redirector.URL+"/send", strings.NewReader("{}"))
	if _, err := p.Do(c, req); !errors.Is(err, ErrRedirect) {
		t.Fatalf("redirect: err = %v, want ErrRedirect", err)
	}
	if hits.Load() != 0 {
		t.Fatalf("the redirect target was reached %d times", hits.Load())
	}

	// A direct request to the (loopback, not allow-listed) inner server is
	// refused at dial time even over a name, even if the shape check is
	// bypassed by calling the client directly.
	dns := &fakeDNS{answers: map[string][]func() netip.Addr{
		// public when checked, loopback when dialled: DNS rebinding
		"rebind.example.com": {addr("93.184.216.34"), addr("127.0.0.1")},
	}}
	p2 := &Policy{Resolver: dns}
	if err := p2.CheckURL(context.Background(), "https://rebind.example.com:"+iu.Port()+"/"); err != nil {
		t.Fatalf("first resolution is public, want it accepted: %v", err)
	}
	c2 := p2.Client(5 * time.Second)
	req2, _ := http.NewRequest(http.MethodGet, "http://rebind.example.com:"+iu.Port()+"/", nil)
	resp, err := c2.Do(req2)
	if err == nil {
		resp.Body.Close()
		t.Fatal("rebinding to loopback was dialled")
	}
	if !errors.Is(err, ErrRefusedAddress) {
		t.Fatalf("rebinding: err = %v, want ErrRefusedAddress", err)
	}
	if Classify(err) != ErrRefusedAddress || Kind(err) != "refused_address" {
		t.Fatalf("Classify(%v) = %v", err, Classify(err))
	}
	if hits.Load() != 0 {
		t.Fatalf("the private server was reached %d times", hits.Load())
	}

	// The Control func itself refuses a literal private address.
	if err := control("tcp", "127.0.0.1:80", nil); !errors.Is(err, ErrRefusedAddress) {
		t.Fatalf("control(127.0.0.1) = %v", err)
	}
	if err := control("tcp", "93.184.216.34:443", nil); err != nil {
		t.Fatalf("control(public) = %v", err)
	}

	// An unreachable allow-listed server gives the generic kind, no
	// address.
	inner.Close()
	p3 := &Policy{AllowHosts: []string{iu.Host}}
	req3, _ := http.NewRequest(http.MethodGet, inner.URL, nil)
	_, err = p3.Do(p3.Client(2*time.Second), req3)
	if !errors.Is(err, ErrUnreachable) || strings.Contains(err.Error(), "127.0.0.1") {
		t.Fatalf("closed server: err = %v", err)
	}
}

func TestAllowListedServerIsReached(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	p := &Policy{AllowHosts: []string{u.Host}}
	if err := p.CheckURL(context.Background(), srv.URL); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	resp, err := p.Do(p.Client(5*time.Second), req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
}
