package app_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/suara-id/suara/internal/app"
)

func TestRedactPhonesAndEmails(t *testing.T) {
	for in, want := range map[string]string{
		"call 0812-3456-7890 now":                   "call [phone] now",
		"+6281234567890":                            "[phone]",
		"62 812 3456 7890":                          "62 812 3456 7890", // spaces after the country code: not a number we store
		"siti.rahma+x@example.co.id wrote":          "[email] wrote",
		"case 3f2a0812-3456-4789-a123-0812345678ab": "case 3f2a0812-3456-4789-a123-0812345678ab",
		"SPN-2026-000123":                           "SPN-2026-000123",
		"took 0.812345s":                            "took 0.812345s",
	} {
		if got := app.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRedactHandlerCoversMessageAttrsGroupsAndErrors(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(app.NewRedactHandler(slog.NewJSONHandler(&buf, nil))).With("who", "a@b.example")
	log.WithGroup("g").Info("login 081234567890", "phone", "+6281234567890", "err", errors.New("user x@y.example"),
		slog.Group("inner", "email", "z@w.example"))
	out := buf.String()
	for _, leak := range []string{"a@b.example", "081234567890", "+6281234567890", "x@y.example", "z@w.example"} {
		if strings.Contains(out, leak) {
			t.Errorf("log holds %q: %s", leak, out)
		}
	}
	if !strings.Contains(out, "[phone]") || !strings.Contains(out, "[email]") {
		t.Errorf("nothing redacted: %s", out)
	}
}
