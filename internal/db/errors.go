package db

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// Unavailable reports whether err means the database cannot be reached
// (down, restarting, refusing connections) rather than a bug.
func Unavailable(err error) bool {
	var ce *pgconn.ConnectError
	var pe *pgconn.PgError
	var oe *net.OpError
	switch {
	case errors.As(err, &ce), errors.As(err, &oe), errors.Is(err, driver.ErrBadConn):
		return true
	case errors.Is(err, io.ErrUnexpectedEOF):
		// The server went away in the middle of a reply (a primary killed
		// under a running query).
		return true
	case errors.As(err, &pe):
		// 08: connection exception; 57P01-03: shutting down, crashed,
		// starting up; 25006: a write on a node that has just become a
		// standby (a demoted primary) — the next connection finds the
		// new primary (target_session_attrs=read-write).
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03" ||
			pe.Code == "25006"
	case errors.Is(err, context.DeadlineExceeded):
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "conn closed") || strings.Contains(msg, "connection refused")
}

// BadEncoding reports whether PostgreSQL refused text it cannot store (a
// NUL byte, invalid UTF-8): the client's input, never a server fault.
func BadEncoding(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "22021" || pe.Code == "22P05")
}

// IsSyntaxError reports a statement PostgreSQL could not parse (42601).
func IsSyntaxError(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "42601"
}
