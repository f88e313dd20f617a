// Package apperr holds the domain errors every service returns and the web
// layer maps to status codes and localised messages. Keeping them in one
// small package lets services stay free of HTTP.
package apperr

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

var (
	ErrNotFound     = errors.New("not found")
	ErrConflict     = errors.New("conflict")
	ErrForbidden    = errors.New("forbidden")
	ErrUnauthorized = errors.New("unauthorized")
	ErrRateLimited  = errors.New("rate limited")
)

// Validation is a bad-input error: each field maps to a message key that the
// web layer translates (e.g. "phone" -> "error.phone_invalid").
type Validation struct {
	Fields map[string]string
}

func (v *Validation) Error() string {
	keys := make([]string, 0, len(v.Fields))
	for k := range v.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + v.Fields[k]
	}
	return "invalid input: " + strings.Join(parts, ", ")
}

// Add records a problem with field; the first message for a field wins.
func (v *Validation) Add(field, key string) {
	if v.Fields == nil {
		v.Fields = map[string]string{}
	}
	if _, ok := v.Fields[field]; !ok {
		v.Fields[field] = key
	}
}

// Err returns v when it holds any problem, else nil.
func (v *Validation) Err() error {
	if v == nil || len(v.Fields) == 0 {
		return nil
	}
	return v
}

// Invalid is a shorthand for a one-field validation error.
func Invalid(field, key string) error {
	return &Validation{Fields: map[string]string{field: key}}
}

// Conflict is a conflict on one field (such as a taken phone number).
type FieldConflict struct {
	Field, Key string
}

func (c *FieldConflict) Error() string { return fmt.Sprintf("conflict on %s: %s", c.Field, c.Key) }
func (c *FieldConflict) Unwrap() error { return ErrConflict }

// Limited is a rate-limit refusal with the wait before the next try.
type Limited struct {
	RetryAfterSeconds int
	Key               string
}

func (l *Limited) Error() string { return fmt.Sprintf("rate limited: %s", l.Key) }
func (l *Limited) Unwrap() error { return ErrRateLimited }
