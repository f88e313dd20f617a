package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/uptrace/bun"
)

// TestAdminPeople: the worker list is the federation admin's only, shows
// member status and nothing about reports; staff sessions can be revoked
// from the people page, and not from another union.
func TestAdminPeople(t *testing.T) {
	e := newCaseEnv(t)
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	branch := e.login(spnHost, map[string]string{"email": "branch@spn.example", "password": demoPW})
	officer := e.login(spnHost, map[string]string{"email": "officer@spn.example", "password": demoPW})
	worker := e.login(spnHost, map[string]string{"phone": "081200000002", "password": demoPW})
	conf := e.file(spnHost, worker, map[string]any{"type": "complaint", "safety_mode": "confidential", "title": "Rahasia sekali",
		"description": "Mandor meminta uang agar kontrak diperpanjang."})

	resp, text := e.get(spnHost, "/api/v1/admin/workers", bearer(admin)...)
	if resp.StatusCode != 200 {
		t.Fatalf("workers: %d %s", resp.StatusCode, text)
	}
	body := decode(t, text)
	want := e.countRows("spn", "SELECT count(*) FROM users WHERE kind = 'worker'")
	if body["total"] != float64(want) || len(body["workers"].([]any)) != want {
		t.Errorf("workers: total %v, %d rows, want %d", body["total"], len(body["workers"].([]any)), want)
	}
	for _, leak := range []string{conf["reference"].(string), "Rahasia sekali", "confidential", "case"} {
		if strings.Contains(text, leak) {
			t.Errorf("worker list carries %q", leak)
		}
	}
	_, body = e.getJSON(spnHost, "/api/v1/admin/workers?member=true", admin)
	if members := e.countRows("spn", "SELECT count(*) FROM users WHERE kind = 'worker' AND is_member"); body["total"] != float64(members) {
		t.Errorf("members: %v, want %d", body["total"], members)
	}
	for _, w := range body["workers"].([]any) {
		if w.(map[string]any)["is_member"] != true {
			t.Errorf("non-member in the members filter: %v", w)
		}
	}
	for name, tok := range map[string]string{"branch admin": branch, "officer": officer, "worker": worker} {
		if resp, _ := e.getJSON(spnHost, "/api/v1/admin/workers", tok); resp.StatusCode != 403 {
			t.Errorf("%s lists workers: %d", name, resp.StatusCode)
		}
		if resp, _ := e.page(spnHost, "/admin/people", tok); resp.StatusCode != 403 {
			t.Errorf("%s opens people: %d", name, resp.StatusCode)
		}
	}
	// Another union's admin sees only their own workers.
	gAdmin := e.login(otherHost, map[string]string{"email": "admin@garteks.example", "password": demoPW})
	_, gText := e.get(otherHost, "/api/v1/admin/workers", bearer(gAdmin)...)
	var spnIDs []string
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Table("users").ColumnExpr("id::text").Scan(ctx, &spnIDs)
	})
	for _, id := range spnIDs {
		if strings.Contains(gText, id) {
			t.Fatalf("garteks worker list has spn user %s", id)
		}
	}

	// The page: staff with their buttons, then revoke the officer.
	resp, page := e.page(spnHost, "/admin/people", admin)
	if resp.StatusCode != 200 {
		t.Fatalf("people page: %d", resp.StatusCode)
	}
	var officerID string
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT id::text FROM users WHERE email = 'officer@spn.example'").Scan(&officerID)
	})
	mustContain(t, page, "/admin/people/"+officerID+"/revoke", "officer@spn.example")
	if resp, _ := e.postForm(otherHost, "/admin/people/"+officerID+"/revoke", gAdmin, url.Values{}); resp.StatusCode != 404 {
		t.Errorf("garteks revokes an spn officer: %d", resp.StatusCode)
	}
	if r, _ := e.getJSON(spnHost, "/api/v1/me", officer); r.StatusCode != 200 {
		t.Fatalf("officer token before revoke: %d", r.StatusCode)
	}
	if resp, _ := e.postForm(spnHost, "/admin/people/"+officerID+"/revoke", admin, url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("revoke: %d", resp.StatusCode)
	}
	if r, _ := e.getJSON(spnHost, "/api/v1/me", officer); r.StatusCode != 401 {
		t.Errorf("officer token after revoke: %d", r.StatusCode)
	}
	if resp, _ := e.postForm(spnHost, "/admin/people/not-a-uuid/reset-2fa", admin, url.Values{}); resp.StatusCode != 404 {
		t.Errorf("reset-2fa with a bad id: %d", resp.StatusCode)
	}
}
