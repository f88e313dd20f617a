package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"
)

// ErrNotLoopback refuses a target off this machine: the driver is a load
// generator, and pointed at someone else's server it is an attack.
var ErrNotLoopback = errors.New("bench: target must be a loopback address (127.0.0.0/8, ::1 or localhost)")

// CheckTarget parses target and accepts it only if it is plain HTTP to a
// loopback IP or to "localhost" (never resolved through DNS: the dialer
// connects to 127.0.0.1 for it).
func CheckTarget(target string) (*url.URL, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("bench: target %q: %w", target, err)
	}
	if u.Scheme != "http" || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("bench: target %q: want http://127.0.0.1:PORT", target)
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		u.Host = net.JoinHostPort("127.0.0.1", u.Port())
	} else if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("%w: got %q", ErrNotLoopback, host)
	}
	if u.Port() == "" {
		u.Host = net.JoinHostPort(u.Hostname(), "80")
	}
	u.Path, u.RawQuery, u.Fragment = "", "", ""
	return u, nil
}

// loopbackOnly is a dialer Control hook: whatever the URL said, a
// connection leaves only for a loopback address.
func loopbackOnly(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%w: dial %s", ErrNotLoopback, address)
	}
	return nil
}

// dialer connects to loopback only, from local (nil: any) address.
func dialer(local net.IP) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{Control: loopbackOnly}
	if local != nil {
		d.LocalAddr = &net.TCPAddr{IP: local}
	}
	return d.DialContext
}
