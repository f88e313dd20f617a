package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/db"
)

// TestRestrictedCategory: a restricted category's cases are invisible to
// staff not named for it (officer and branch admin of the case's branch),
// through the API and the list predicate the queue, dashboards and exports
// use; the federation admin and named officers see them; the reporter
// always sees their own case.
func TestRestrictedCategory(t *testing.T) {
	e := newCaseEnv(t)
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	branch := e.login(spnHost, map[string]string{"email": "branch@spn.example", "password": demoPW})
	officer := e.login(spnHost, map[string]string{"email": "officer@spn.example", "password": demoPW})
	worker := e.login(spnHost, map[string]string{"phone": "081200000001", "password": demoPW})
	kekerasan := e.categoryID("spn", "kekerasan")
	resp, body := e.sendJSON("PATCH", spnHost, adminCats+"/"+kekerasan, admin, map[string]any{"restricted": true, "handlers": []string{}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("restrict: %d %v", resp.StatusCode, body)
	}
	wp := e.workplaceID("spn", "pt-maju-jaya-garmen")
	hidden := e.file(spnHost, worker, map[string]any{"type": "complaint", "description": "Supervisor memegang saya di gudang.", "category_id": kekerasan, "workplace_id": wp})["id"].(string)
	open := e.file(spnHost, worker, map[string]any{"type": "complaint", "description": "Tunjangan makan tidak dibayar dua bulan.", "category_id": e.categoryID("spn", "upah"), "workplace_id": wp})["id"].(string)

	status := func(tok, id string) int {
		resp, _ := e.getJSON(spnHost, "/api/v1/cases/"+id, tok)
		return resp.StatusCode
	}
	visible := func(who string) int {
		var userID uuid.UUID
		e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
			return tx.QueryRowContext(ctx, "SELECT id FROM users WHERE email = ?", who).Scan(&userID)
		})
		pred, args := cases.RestrictedVisible("c", userID)
		var n int
		// As the app role, like the queue and dashboards.
		err := db.InTenantTx(context.Background(), e.db.App, e.tenantID("spn"), func(ctx context.Context, tx bun.Tx) error {
			return tx.QueryRowContext(ctx, "SELECT count(*) FROM cases c WHERE c.id IN (?, ?) AND "+pred,
				append([]any{hidden, open}, args...)...).Scan(&n)
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, c := range []struct {
		name     string
		tok, who string
		want     int
		list     int
	}{
		{"officer not named", officer, "officer@spn.example", 404, 1},
		{"branch admin", branch, "branch@spn.example", 404, 1},
		{"federation admin", admin, "admin@spn.example", 200, 2},
	} {
		if got := status(c.tok, hidden); got != c.want {
			t.Errorf("%s reads the restricted case: %d, want %d", c.name, got, c.want)
		}
		if got := status(c.tok, open); got != 200 {
			t.Errorf("%s reads an ordinary case of the branch: %d", c.name, got)
		}
		if got := visible(c.who); got != c.list {
			t.Errorf("%s sees %d of the 2 cases in lists, want %d", c.name, got, c.list)
		}
	}
	// The queue (GET /api/v1/cases for staff) and its search.
	for _, c := range []struct {
		name, tok  string
		seesHidden bool
	}{{"branch admin", branch, false}, {"federation admin", admin, true}} {
		for _, q := range []string{"", "?q=gudang"} {
			resp, text := e.get(spnHost, "/api/v1/cases"+q, bearer(c.tok)...)
			if resp.StatusCode != 200 {
				t.Fatalf("%s queue%s: %d", c.name, q, resp.StatusCode)
			}
			if strings.Contains(text, hidden) != c.seesHidden {
				t.Errorf("%s queue%s shows the restricted case: %v", c.name, q, !c.seesHidden)
			}
			if q == "" && !strings.Contains(text, open) {
				t.Errorf("%s queue misses the ordinary case", c.name)
			}
		}
	}
	if got := status(worker, hidden); got != 200 {
		t.Errorf("reporter reads their own restricted case: %d", got)
	}
	// Naming the officer opens the case to them, and only to them.
	var officerID string
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT id::text FROM users WHERE email = 'officer@spn.example'").Scan(&officerID)
	})
	if resp, body := e.sendJSON("PATCH", spnHost, adminCats+"/"+kekerasan, admin, map[string]any{"handlers": []string{officerID}}); resp.StatusCode != 200 {
		t.Fatalf("name officer: %d %v", resp.StatusCode, body)
	}
	if got := status(officer, hidden); got != 200 {
		t.Errorf("named officer: %d", got)
	}
	if got := visible("officer@spn.example"); got != 2 {
		t.Errorf("named officer sees %d in lists", got)
	}
	if got := status(branch, hidden); got != 404 {
		t.Errorf("branch admin after naming someone else: %d", got)
	}
	// Lifting the restriction opens it to the branch again.
	if resp, _ := e.sendJSON("PATCH", spnHost, adminCats+"/"+kekerasan, admin, map[string]any{"restricted": false}); resp.StatusCode != 200 {
		t.Fatal("unrestrict")
	}
	if got := status(branch, hidden); got != 200 {
		t.Errorf("branch admin after lifting: %d", got)
	}
}
