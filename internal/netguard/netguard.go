// Package netguard owns the rules for outbound requests to addresses that
// tenant admins choose (SMS/WhatsApp gateways, webhooks): https to a public
// address only, unless the platform operator allow-lists the host; names are
// resolved and every address checked, again at dial time (a net.Dialer
// Control func sees the address actually connected, so a name that resolves
// to a public address when saved and to a private one later — DNS
// rebinding — is still refused); redirects are never followed; and the
// errors it returns say what kind of failure it was, never the address or
// the network's own message, so an admin cannot use it as a port scanner.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Resolver looks a name up (net.DefaultResolver; tests inject their own).
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Errors, by kind. Callers show these (translated) to admins: they carry
// no address, port or network message.
var (
	// ErrInvalidURL: not an absolute https URL (or http to an allow-listed
	// host), or has user info.
	ErrInvalidURL = errors.New("netguard: invalid url")
	// ErrRefusedAddress: the host is, or resolves to, a private, loopback,
	// link-local, CGNAT, multicast or unspecified address.
	ErrRefusedAddress = errors.New("netguard: address refused")
	// ErrUnresolvable: the name does not resolve.
	ErrUnresolvable = errors.New("netguard: name does not resolve")
	// ErrUnreachable: the connection or the exchange failed.
	ErrUnreachable = errors.New("netguard: unreachable")
	// ErrRedirect: the server answered with a redirect, which is not
	// followed.
	ErrRedirect = errors.New("netguard: redirect not followed")
)

// Policy holds the operator's allow-list and the resolver.
type Policy struct {
	// AllowHosts are hosts ("gw.internal") or host:port pairs
	// ("127.0.0.1:8443") the operator allows over http and to any address
	// (an internal gateway, a test fake). Case-insensitive.
	AllowHosts []string
	// Resolver resolves names (nil: net.DefaultResolver).
	Resolver Resolver
}

func (p *Policy) resolver() Resolver {
	if p == nil || p.Resolver == nil {
		return net.DefaultResolver
	}
	return p.Resolver
}

// allowed reports whether the operator allow-listed host (with port).
func (p *Policy) allowed(host, port string) bool {
	if p == nil {
		return false
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	hp := net.JoinHostPort(host, port)
	for _, a := range p.AllowHosts {
		a = strings.ToLower(strings.TrimSpace(a))
		if a == "" {
			continue
		}
		if a == host || a == hp || strings.Trim(a, "[]") == host {
			return true
		}
	}
	return false
}

// cgnat is RFC 6598 shared address space; benchmark is RFC 2544; the
// others are reserved or special-purpose ranges that no gateway lives on.
var refusedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("2002::/16"),
	netip.MustParsePrefix("100::/64"),
}

// Refused reports whether a is an address outbound requests must not
// reach: private, loopback, link-local, CGNAT, multicast, unspecified,
// broadcast or otherwise special-purpose (IPv4-mapped IPv6 counts as its
// IPv4 address).
func Refused(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsUnspecified() || a.IsMulticast() ||
		a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast() {
		return true
	}
	if a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return true
	}
	for _, p := range refusedPrefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parse checks the URL's shape and returns its host and port.
func (p *Policy) parse(raw string) (*url.URL, string, string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.User != nil || u.Opaque != "" {
		return nil, "", "", ErrInvalidURL
	}
	host, port := u.Hostname(), u.Port()
	if host == "" {
		return nil, "", "", ErrInvalidURL
	}
	switch u.Scheme {
	case "https":
		if port == "" {
			port = "443"
		}
	case "http":
		if port == "" {
			port = "80"
		}
		if !p.allowed(host, port) {
			return nil, "", "", ErrInvalidURL
		}
	default:
		return nil, "", "", ErrInvalidURL
	}
	return u, host, port, nil
}

// CheckURL decides whether an admin may save raw as an outbound address:
// its shape, and every address its host resolves to now. It needs the
// network (names are resolved); the dial-time check still applies later.
func (p *Policy) CheckURL(ctx context.Context, raw string) error {
	_, host, port, err := p.parse(raw)
	if err != nil {
		return err
	}
	if p.allowed(host, port) {
		return nil
	}
	_, err = p.lookup(ctx, host)
	return err
}

// lookup resolves host (an IP literal stands for itself) and refuses it
// when any of its addresses is refused.
func (p *Policy) lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		addrs = []netip.Addr{a}
	} else {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		addrs, err = p.resolver().LookupNetIP(ctx, "ip", host)
		if err != nil || len(addrs) == 0 {
			return nil, ErrUnresolvable
		}
	}
	for _, a := range addrs {
		if Refused(a) {
			return nil, ErrRefusedAddress
		}
	}
	return addrs, nil
}

// control is the dialer's last word: the address about to be connected
// must not be refused, whatever resolution led to it.
func control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil || Refused(ap.Addr()) {
		return ErrRefusedAddress
	}
	return nil
}

// DialContext dials addr ("host:port") under the policy: an allow-listed
// host is dialled as is; any other is resolved, refused if any address is
// refused, and dialled by address with the Control check.
func (p *Policy) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, ErrInvalidURL
	}
	d := &net.Dialer{Timeout: 10 * time.Second}
	if p.allowed(host, port) {
		return d.DialContext(ctx, network, addr)
	}
	addrs, err := p.lookup(ctx, host)
	if err != nil {
		return nil, err
	}
	d.Control = control
	var last error = ErrUnreachable
	for _, a := range addrs {
		c, err := d.DialContext(ctx, network, net.JoinHostPort(a.Unmap().String(), port))
		if err == nil {
			return c, nil
		}
		if errors.Is(err, ErrRefusedAddress) {
			return nil, ErrRefusedAddress
		}
		last = err
	}
	return nil, last
}

// Client returns an HTTP client that dials through the policy, uses no
// proxy from the environment and never follows redirects.
func (p *Policy) Client(timeout time.Duration) *http.Client {
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           p.DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       60 * time.Second,
	}
	return &http.Client{Timeout: timeout, Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Do sends req with c after checking its URL's shape under the policy (the
// dial is checked by the client's transport). A redirect answer is
// ErrRedirect; any failure is one of this package's errors, so that its
// message names no address.
func (p *Policy) Do(c *http.Client, req *http.Request) (*http.Response, error) {
	if _, _, _, err := p.parse(req.URL.String()); err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, Classify(err)
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		resp.Body.Close()
		return nil, ErrRedirect
	}
	return resp, nil
}

// Classify reduces any error of an outbound call to one of this package's
// kinds.
func Classify(err error) error {
	for _, k := range []error{ErrInvalidURL, ErrRefusedAddress, ErrUnresolvable, ErrRedirect} {
		if errors.Is(err, k) {
			return k
		}
	}
	return ErrUnreachable
}

// Kind is a short, stable name for err's kind ("refused_address", ...),
// for messages keys and logs.
func Kind(err error) string {
	switch Classify(err) {
	case ErrInvalidURL:
		return "invalid_url"
	case ErrRefusedAddress:
		return "refused_address"
	case ErrUnresolvable:
		return "unresolvable"
	case ErrRedirect:
		return "redirect"
	}
	return "unreachable"
}

// String for fmt of the policy in logs.
func (p *Policy) String() string { return fmt.Sprintf("netguard(allow=%v)", p.AllowHosts) }
