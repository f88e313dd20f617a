package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/uptrace/bun"
)

// The playbook and the recommendations that carry it answer the same
// situation the same way: a reporter is refused (403) whatever id they
// send; staff get 404 for an id that is malformed, unknown or another
// tenant's; nobody signed in gets 401.
func TestPlaybookStatusesAreConsistent(t *testing.T) {
	e := newCaseEnv(t)
	worker := e.login(spnHost, map[string]string{"phone": "081200000003", "password": demoPW})
	officer, _, admin := e.staffTokens()
	gWorker := e.login(otherHost, map[string]string{"phone": "081200000001", "password": demoPW})
	gAdmin := e.login(otherHost, map[string]string{"email": "admin@garteks.example", "password": demoPW})
	own := e.file(spnHost, worker, map[string]any{"type": "complaint", "workplace_id": e.workplaceID("spn", "pt-maju-jaya-garmen"),
		"description": "Upah lembur dihitung borongan, bukan per jam."})["id"].(string)
	foreign := e.file(otherHost, gWorker, map[string]any{"type": "complaint",
		"description": "Upah lembur dihitung borongan, bukan per jam."})["id"].(string)
	ids := map[string]string{"own": own, "foreign": foreign, "unknown": randomID(), "malformed": "not-a-uuid"}

	for _, ep := range []string{"playbook", "recommendations"} {
		for what, id := range ids {
			path := "/api/v1/cases/" + id + "/" + ep
			for _, tc := range []struct {
				who, tok string
				want     int
			}{
				{"nobody", "", http.StatusUnauthorized},
				{"reporter", worker, http.StatusForbidden},
				{"officer", officer, map[bool]int{true: http.StatusOK, false: http.StatusNotFound}[what == "own"]},
				{"admin", admin, map[bool]int{true: http.StatusOK, false: http.StatusNotFound}[what == "own"]},
				// Another tenant's token means nothing here.
				{"garteks admin", gAdmin, http.StatusUnauthorized},
			} {
				resp, body := e.get(spnHost, path, bearer(tc.tok)...)
				if resp.StatusCode != tc.want {
					t.Errorf("%s, %s id, %s: %d, want %d: %s", tc.who, what, ep, resp.StatusCode, tc.want, body)
				}
			}
			// The other tenant's admin on their own host: our case is not found.
			if what == "own" {
				if resp, _ := e.get(otherHost, path, bearer(gAdmin)...); resp.StatusCode != http.StatusNotFound {
					t.Errorf("garteks admin on garteks, spn case, %s: %d, want 404", ep, resp.StatusCode)
				}
			}
		}
	}
	// Staff-only writes on a case follow the same order: a reporter sending
	// a malformed id is refused, not told the id is bad.
	for _, ep := range []string{"assign", "actions", "notes"} {
		resp, body := e.postJSON(spnHost, "/api/v1/cases/not-a-uuid/"+ep, map[string]any{}, bearer(worker)...)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("reporter, malformed id, %s: %d, want 403: %v", ep, resp.StatusCode, body)
		}
	}
	// Categories, whose playbooks admins edit: a foreign or unknown id is
	// 404 for an admin, and any id is 403 for an officer.
	gcat := e.categoryID("garteks", "upah")
	for what, id := range map[string]string{"foreign": gcat, "unknown": randomID(), "malformed": "x"} {
		if resp, _ := e.sendJSON("PATCH", spnHost, adminCats+"/"+id, admin, map[string]any{"playbook_id": []string{"Langkah"}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("admin PATCH %s category: %d, want 404", what, resp.StatusCode)
		}
		if resp, _ := e.sendJSON("PATCH", spnHost, adminCats+"/"+id, officer, map[string]any{"playbook_id": []string{"Langkah"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("officer PATCH %s category: %d, want 403", what, resp.StatusCode)
		}
	}
}

// List endpoints answer [] for an empty list, never null: a client that
// iterates the field must not have to special-case a quiet tenant.
func TestEmptyListsAreArrays(t *testing.T) {
	e := newCaseEnv(t)
	const host = "japbusi.localhost"
	admin := e.login(host, map[string]string{"email": "admin@japbusi.example", "password": demoPW})
	for path, fields := range map[string][]string{
		"/api/v1/admin/events":    {"events"},
		"/api/v1/ai/acceptance":   {"acceptance"},
		"/api/v1/admin/dashboard": {"overdue", "by_status", "by_category", "by_workplace", "by_month"},
	} {
		resp, text := e.get(host, path, bearer(admin)...)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, text)
		}
		body := decode(t, text)
		for _, f := range fields {
			if _, ok := body[f].([]any); !ok {
				t.Errorf("GET %s: %q is %v, want an array", path, f, body[f])
			}
		}
	}
	// A branch with no cases at all: every count list is [] too.
	var empty string
	e.inTenant("japbusi", func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT b.path FROM branches b
			WHERE NOT EXISTS (SELECT 1 FROM cases c JOIN branches cb ON cb.tenant_id = c.tenant_id AND cb.id = c.branch_id
				WHERE cb.path = b.path OR cb.path LIKE b.path || '/%') ORDER BY b.path LIMIT 1`).Scan(&empty)
	})
	resp, text := e.get(host, "/api/v1/admin/dashboard?branch="+url.QueryEscape(empty), bearer(admin)...)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("dashboard of empty branch %s: %d %s", empty, resp.StatusCode, text)
	}
	body := decode(t, text)
	for _, f := range []string{"overdue", "by_status", "by_category", "by_workplace", "by_month"} {
		if _, ok := body[f].([]any); !ok {
			t.Errorf("empty branch dashboard: %q is %v, want an array", f, body[f])
		}
	}
}

// An anonymous reporter has no account and so no inbox: the receipt page is
// where their in-app notifications show, in either language.
func TestReceiptPageShowsNotifications(t *testing.T) {
	e := newCaseEnv(t)
	_, _, admin := e.staffTokens()
	out := e.file(spnHost, "", map[string]any{"type": "complaint",
		"description": "Pintu darurat di gudang dikunci dari luar selama shift malam."})
	code, id := fmt.Sprint(out["receipt_code"]), out["id"].(string)
	if resp, body := e.transition(admin, id, "verify", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("verify: %d %v", resp.StatusCode, body)
	}
	for _, tc := range []struct{ lang, title string }{
		{"id", "Pemberitahuan untuk laporan ini"},
		{"en", "Notifications for this report"},
	} {
		resp, text := e.get(spnHost, "/api/v1/receipt/notifications?lang="+tc.lang, bearer(e.receiptSession(spnHost, code))...)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("receipt notifications API: %d %s", resp.StatusCode, text)
		}
		items, _ := decode(t, text)["notifications"].([]any)
		if len(items) == 0 {
			t.Fatalf("%s: no notification for the anonymous reporter after verification", tc.lang)
		}
		resp, page := e.receiptPage(spnHost, "/receipt/case?lang="+tc.lang, e.receiptSession(spnHost, code))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s receipt page: %d", tc.lang, resp.StatusCode)
		}
		mustContain(t, page, tc.title)
		for _, it := range items {
			txt := it.(map[string]any)["text"].(string)
			if txt == "" || !strings.Contains(page, html.EscapeString(txt)) {
				t.Errorf("%s receipt page lacks the notification %q", tc.lang, txt)
			}
		}
	}
	// A code with nothing to tell yet says so.
	fresh := fmt.Sprint(e.file(spnHost, "", map[string]any{"type": "complaint",
		"description": "Kami tidak diberi alat pelindung diri di bagian pewarnaan."})["receipt_code"])
	_, page := e.receiptPage(spnHost, "/receipt/case?lang=en", e.receiptSession(spnHost, fresh))
	mustContain(t, page, "Notifications for this report")
	if !strings.Contains(page, `<ul class="notifications">`) && !strings.Contains(page, "No notifications yet.") {
		t.Error("a fresh receipt page shows neither notifications nor that there are none")
	}
}
