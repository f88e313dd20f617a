package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/app"
)

// staffTokens logs the demo staff in.
func (e *env) staffTokens() (officer, branch, admin string) {
	e.t.Helper()
	return e.login(spnHost, map[string]string{"email": "officer@spn.example", "password": demoPW}),
		e.login(spnHost, map[string]string{"email": "branch@spn.example", "password": demoPW}),
		e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
}

func (e *env) transition(tok, id, tr string, extra map[string]any) (*http.Response, map[string]any) {
	e.t.Helper()
	body := map[string]any{"transition": tr}
	for k, v := range extra {
		body[k] = v
	}
	return e.postJSON(spnHost, "/api/v1/cases/"+id+"/transitions", body, bearer(tok)...)
}

func TestTransitionsAPIAndStaffPage(t *testing.T) {
	e := newCaseEnv(t)
	worker := e.login(spnHost, map[string]string{"phone": "081200000003", "password": demoPW})
	officer, branch, _ := e.staffTokens()
	id := e.file(spnHost, worker, map[string]any{"type": "complaint", "workplace_id": e.workplaceID("spn", "pt-maju-jaya-garmen"),
		"description": "Upah lembur dihitung borongan, bukan per jam."})["id"].(string)

	// 409 names what the caller may do instead.
	resp, body := e.transition(officer, id, "resolve", nil)
	allowed, _ := body["error"].(map[string]any)["allowed"].([]any)
	if resp.StatusCode != 409 || errorCode(body) != "conflict" || fmt.Sprint(allowed) != "[verify request_info reject mark_duplicate]" {
		t.Fatalf("resolve a submitted case: %d %v", resp.StatusCode, body)
	}
	resp, body = e.transition(worker, id, "resolve", nil)
	if allowed, _ := body["error"].(map[string]any)["allowed"].([]any); resp.StatusCode != 409 || allowed == nil || len(allowed) != 1 || allowed[0] != "withdraw" {
		t.Fatalf("reporter: %d %v", resp.StatusCode, body)
	}
	if resp, body := e.transition(worker, id, "verify", nil); resp.StatusCode != 403 {
		t.Fatalf("reporter verifying: %d %v", resp.StatusCode, body)
	}
	if resp, body := e.transition(officer, id, "reject", nil); resp.StatusCode != 422 || fieldErrors(body)["reason"] == nil {
		t.Fatalf("reject without reason: %d %v", resp.StatusCode, body)
	}
	if resp, body := e.transition(officer, id, "verify", nil); resp.StatusCode != 200 || body["status"] != "verified" {
		t.Fatalf("verify: %d %v", resp.StatusCode, body)
	}
	if resp, body := e.getJSON(spnHost, "/api/v1/cases/"+id+"/transitions", branch); resp.StatusCode != 200 || body["actor"] != "branch_admin" {
		t.Fatalf("allowed: %d %v", resp.StatusCode, body)
	}
	// Assignment to the unit officer, by the branch admin.
	var officerID string
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT id::text FROM users WHERE email = 'officer@spn.example'").Scan(&officerID)
	})
	if resp, body := e.postJSON(spnHost, "/api/v1/cases/"+id+"/assign", map[string]any{"officer_id": officerID}, bearer(officer)...); resp.StatusCode != 403 {
		t.Fatalf("officer assigning: %d %v", resp.StatusCode, body)
	}
	if resp, body := e.postJSON(spnHost, "/api/v1/cases/"+id+"/assign", map[string]any{"officer_id": officerID}, bearer(branch)...); resp.StatusCode != 200 || body["officer_id"] != officerID {
		t.Fatalf("assign: %d %v", resp.StatusCode, body)
	}
	if resp, body := e.postJSON(spnHost, "/api/v1/cases/"+id+"/actions", map[string]any{"kind": "bipartite", "visibility": "internal"}, bearer(officer)...); resp.StatusCode != 422 || fieldErrors(body)["meeting_date"] == nil {
		t.Fatalf("bad action: %d %v", resp.StatusCode, body)
	}

	// The staff page: playbook-less case, transitions, forms; a page form moves the case.
	resp, page := e.page(spnHost, "/cases/"+id, officer)
	if resp.StatusCode != 200 {
		t.Fatalf("staff page: %d", resp.StatusCode)
	}
	mustContain(t, page, `action="/cases/`+id+`/transitions"`, `value="start"`, `action="/cases/`+id+`/notes"`, `action="/cases/`+id+`/actions"`, "Dewi Lestari")
	resp, _ = e.postForm(spnHost, "/cases/"+id+"/transitions", officer, url.Values{"transition": {"start"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("start by form: %d", resp.StatusCode)
	}
	resp, page = e.postForm(spnHost, "/cases/"+id+"/transitions", officer, url.Values{"transition": {"verify"}})
	if resp.StatusCode != 409 || !strings.Contains(page, `class="field-error"`) {
		t.Fatalf("invalid transition by form: %d", resp.StatusCode)
	}
	resp, _ = e.postForm(spnHost, "/cases/"+id+"/notes", officer, url.Values{"body": {"Catatan dari formulir."}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("note by form: %d", resp.StatusCode)
	}
	_, page = e.page(spnHost, "/cases/"+id, officer)
	mustContain(t, page, "Catatan dari formulir.")
	// The playbook shows once the case has a category with one.
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE categories SET playbook_id = '{"Kumpulkan slip gaji"}', playbook_en = '{"Collect pay slips"}' WHERE slug = 'upah'`)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "UPDATE cases SET category_id = (SELECT id FROM categories WHERE slug = 'upah') WHERE id = ?", id)
		return err
	})
	_, page = e.page(spnHost, "/cases/"+id, officer)
	mustContain(t, page, "Kumpulkan slip gaji")
	_, page = e.page(spnHost, "/cases/"+id+"?lang=en", officer)
	mustContain(t, page, "Collect pay slips")
}

// Acceptance 4: a reporter sees none of the internal notes or internal
// actions through any page or API call, by account or by receipt code.
func TestReporterNeverSeesInternal(t *testing.T) {
	e := newCaseEnv(t)
	worker := e.login(spnHost, map[string]string{"phone": "081200000003", "password": demoPW})
	officer, branch, admin := e.staffTokens()
	wp := e.workplaceID("spn", "pt-maju-jaya-garmen")
	named := e.file(spnHost, worker, map[string]any{"type": "complaint", "workplace_id": wp,
		"description": "Upah lembur dihitung borongan, bukan per jam."})["id"].(string)
	conf := e.file(spnHost, worker, map[string]any{"type": "complaint", "workplace_id": wp, "safety_mode": "confidential",
		"description": "Kontrak diperpanjang terus tanpa kejelasan."})["id"].(string)
	anon := e.file(spnHost, "", map[string]any{"type": "complaint", "workplace_id": wp,
		"description": "Pintu darurat dikunci dari luar saat jam kerja."})
	anonID, code := anon["id"].(string), anon["receipt_code"].(string)

	const secretNote, secretAction, secretReason, public = "RAHASIA-CATATAN-7731", "RAHASIA-TINDAKAN-4412", "RAHASIA-KONFLIK-2290", "PUBLIK-BIPARTIT-5150"
	var officerID string
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT id::text FROM users WHERE email = 'officer@spn.example'").Scan(&officerID)
	})
	resp, body := e.postJSON(spnHost, "/api/v1/canned-replies", map[string]any{"locale": "id", "title": "Terima kasih",
		"body": "RAHASIA-TEMPLATE-8080 terima kasih"}, bearer(admin)...)
	if resp.StatusCode != 201 {
		t.Fatalf("canned reply: %d %v", resp.StatusCode, body)
	}
	for _, id := range []string{named, conf, anonID} {
		steps := []struct {
			tok, path string
			body      map[string]any
		}{
			{officer, "/notes", map[string]any{"body": secretNote + " pelapor kerabat mandor"}},
			{officer, "/actions", map[string]any{"kind": "employer_response", "visibility": "internal", "date": "2026-02-02",
				"summary": secretAction + " HRD menolak", "notes": secretAction}},
			{officer, "/actions", map[string]any{"kind": "referral", "visibility": "internal", "target": "other", "target_detail": secretAction}},
			{officer, "/actions", map[string]any{"kind": "bipartite", "visibility": "reporter", "meeting_date": "2026-02-03",
				"participants": []string{"Ketua PUK", "HRD"}, "outcome": "continued", "notes": public}},
			{branch, "/assign", map[string]any{"officer_id": officerID}},
			{branch, "/identity/reveal", map[string]any{"reason": secretReason + " perlu dihubungi"}},
			{officer, "/transitions", map[string]any{"transition": "verify"}},
			{officer, "/transitions", map[string]any{"transition": "start"}},
			{officer, "/transitions", map[string]any{"transition": "resolve"}},
		}
		for _, s := range steps {
			resp, body := e.postJSON(spnHost, "/api/v1/cases/"+id+s.path, s.body, bearer(s.tok)...)
			if resp.StatusCode >= 300 && !(s.path == "/identity/reveal" && resp.StatusCode == 422) {
				t.Fatalf("%s on %s: %d %v", s.path, id, resp.StatusCode, body)
			}
		}
	}
	// Make the check-ins due: the walk answers them too.
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO case_checkins (tenant_id, case_id, n, due_at) SELECT tenant_id, id, 1, now() - interval '1 day' FROM cases`)
		return err
	})
	rtok := e.receiptSession(spnHost, code)
	evidence := func(id string) string {
		var f string
		e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
			return tx.QueryRowContext(ctx, "SELECT coalesce((SELECT id::text FROM evidence_files WHERE case_id = ? LIMIT 1), '00000000-0000-0000-0000-000000000000')", id).Scan(&f)
		})
		return f
	}

	type call struct {
		method, path string
		body         any
		tok          string
		page         bool
		wantPublic   bool
	}
	var calls []call
	for _, id := range []string{named, conf} {
		calls = append(calls,
			call{"GET", "/api/v1/cases/" + id, nil, worker, false, true},
			call{"GET", "/api/v1/cases/" + id + "/transitions", nil, worker, false, false},
			call{"GET", "/api/v1/cases/" + id + "/suggestion", nil, worker, false, false},
			call{"GET", "/api/v1/cases/" + id + "/recommendations", nil, worker, false, false},
			call{"GET", "/api/v1/cases/" + id + "/playbook", nil, worker, false, false},
			call{"GET", "/api/v1/cases/" + id + "/evidence/" + evidence(id), nil, worker, false, false},
			call{"POST", "/api/v1/cases/" + id + "/messages", map[string]any{"body": "Terima kasih atas kabarnya."}, worker, false, false},
			call{"POST", "/api/v1/cases/" + id + "/notes", map[string]any{"body": "coba"}, worker, false, false},
			call{"POST", "/api/v1/cases/" + id + "/actions", map[string]any{"kind": "agreement"}, worker, false, false},
			call{"POST", "/api/v1/cases/" + id + "/rating", map[string]any{"handling": 4, "outcome": 4}, worker, false, false},
			call{"POST", "/api/v1/cases/" + id + "/checkins/1", map[string]any{"remedy_held": true, "retaliation": false}, worker, false, false},
			call{"POST", "/api/v1/cases/" + id + "/transitions", map[string]any{"transition": "close"}, worker, false, false},
			call{"POST", "/api/v1/cases/" + id + "/reopen", map[string]any{"reason": "Masih belum dibayar."}, worker, false, false},
			call{"GET", "/api/v1/cases/" + id, nil, worker, false, true},
			call{"GET", "/cases/" + id, nil, worker, true, true},
			call{"GET", "/cases/" + id + "/rate", nil, worker, true, false},
		)
	}
	calls = append(calls,
		call{"GET", "/api/v1/cases", nil, worker, false, false},
		call{"GET", "/api/v1/canned-replies", nil, worker, false, false},
		call{"GET", "/api/v1/statuses", nil, worker, false, false},
		call{"GET", "/api/v1/notifications", nil, worker, false, false},
		call{"GET", "/api/v1/me", nil, worker, false, false},
		call{"GET", "/cases", nil, worker, true, false},
		call{"GET", "/notifications", nil, worker, true, false},
		call{"GET", "/profile", nil, worker, true, false},
		call{"GET", "/api/v1/receipt", nil, rtok, false, true},
		call{"GET", "/api/v1/receipt/notifications", nil, rtok, false, false},
		call{"GET", "/api/v1/receipt/evidence/" + evidence(anonID), nil, rtok, false, false},
		call{"POST", "/api/v1/receipt/messages", map[string]any{"body": "Terima kasih."}, rtok, false, false},
		call{"POST", "/api/v1/receipt/rating", map[string]any{"handling": 1, "outcome": 2, "comment": "Lambat."}, rtok, false, false},
		call{"POST", "/api/v1/receipt/checkins/1", map[string]any{"remedy_held": false, "retaliation": false}, rtok, false, false},
		call{"POST", "/api/v1/receipt/transitions", map[string]any{"transition": "withdraw"}, rtok, false, false},
		call{"POST", "/api/v1/receipt/reopen", map[string]any{"reason": "Pintu masih dikunci."}, rtok, false, false},
		call{"POST", "/api/v1/receipt/withdraw", map[string]any{"reason": "Sudah beres."}, rtok, false, false},
		call{"POST", "/api/v1/receipt/info", map[string]any{"body": "Ini jawabannya."}, rtok, false, false},
		call{"GET", "/api/v1/receipt", nil, rtok, false, true},
		call{"POST", "/receipt", url.Values{"code": {code}}, "", true, false},
		call{"GET", "/receipt/case", nil, rtok, true, true},
		call{"POST", "/receipt/messages", url.Values{"body": {"Halo."}}, rtok, true, false},
		// Rated already through the API: a 409 page, still without secrets.
		call{"POST", "/receipt/rate", url.Values{"handling": {"3"}, "outcome": {"3"}}, rtok, true, false},
		call{"GET", "/receipt/case", nil, rtok, true, true},
	)
	secrets := []string{secretNote, secretAction, secretReason, "RAHASIA-TEMPLATE-8080", officerID}
	for _, c := range calls {
		var resp *http.Response
		var text string
		switch {
		case c.page && strings.HasPrefix(c.path, "/receipt") && c.method == "GET":
			resp, text = e.receiptPage(spnHost, c.path, c.tok)
		case c.page && strings.HasPrefix(c.path, "/receipt"):
			resp, text = e.receiptForm(spnHost, c.path, c.tok, c.body.(url.Values))
		case c.page && c.method == "GET":
			resp, text = e.page(spnHost, c.path, c.tok)
		case c.page:
			resp, text = e.postForm(spnHost, c.path, c.tok, c.body.(url.Values))
		case c.method == "GET":
			resp, text = e.get(spnHost, c.path, bearer(c.tok)...)
		default:
			b, _ := json.Marshal(c.body)
			resp, text = e.send(c.method, spnHost, c.path, "application/json", bytes.NewReader(b), bearer(c.tok)...)
		}
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s %s (%d) shows %q", c.method, c.path, resp.StatusCode, s)
			}
		}
		for _, k := range []string{`"note"`, `"assigned"`, `"identity_revealed"`, `"ai_suggested"`, `"internal"`} {
			if strings.Contains(text, k) {
				t.Errorf("%s %s shows an internal event (%s)", c.method, c.path, k)
			}
		}
		// The API carries a reporter-visible action's fields; pages at
		// least its entry in the timeline.
		shown := public
		if c.page {
			shown = "Perundingan bipartit"
		}
		if c.wantPublic && (resp.StatusCode != 200 || !strings.Contains(text, shown)) {
			t.Errorf("%s %s: %d, reporter-visible action present: %v", c.method, c.path, resp.StatusCode, strings.Contains(text, shown))
		}
	}
	// The staff side does see them: the walk above could have failed.
	_, text := e.get(spnHost, "/api/v1/cases/"+named, bearer(officer)...)
	mustContain(t, text, secretNote, secretAction, public)
}

// Acceptance 3 (command): `suara audit verify` passes on demo data, names
// the exact event an owner tampered with, and fails.
func TestAuditVerifyCommand(t *testing.T) {
	e := newCaseEnv(t)
	_, _, admin := e.staffTokens()
	var id, ref string
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT id::text, reference FROM cases ORDER BY reference LIMIT 1").Scan(&id, &ref)
	})
	for _, tr := range []string{"verify", "start"} {
		if resp, body := e.transition(admin, id, tr, nil); resp.StatusCode != 200 {
			t.Fatalf("%s: %d %v", tr, resp.StatusCode, body)
		}
	}
	cfg := *e.cfg
	cfg.Database.URL = e.db.AppURL
	var out bytes.Buffer
	if err := app.AuditVerify(context.Background(), &cfg, &out); err != nil {
		t.Fatalf("clean demo data: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), " 0 broken") {
		t.Fatalf("output: %s", out.String())
	}
	// Tamper with seq 2 as the owner (RLS is forced: it must set the tenant).
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE case_events SET created_at = created_at + interval '1 second' WHERE case_id = ? AND seq = 2", id)
		return err
	})
	out.Reset()
	err := app.AuditVerify(context.Background(), &cfg, &out)
	want := fmt.Sprintf("BROKEN tenant=spn case=%s seq=2:", ref)
	if err == nil || !strings.Contains(out.String(), want) || strings.Count(out.String(), "BROKEN") != 1 {
		t.Fatalf("after tampering: %v\n%s", err, out.String())
	}
}
