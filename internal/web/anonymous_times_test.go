package web_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/config"
)

// caseTimes reads every time stored about a case, in every table the
// schema has with a case_id column, as table.column → values. A table
// added later is read without a change here.
func (e *env) caseTimes(slug, caseID string) map[string][]time.Time {
	e.t.Helper()
	out := map[string][]time.Time{}
	e.inTenant(slug, func(ctx context.Context, tx bun.Tx) error {
		var cols []struct{ Table, Column string }
		err := tx.NewRaw(`SELECT c.table_name AS table, c.column_name AS column FROM information_schema.columns c
			WHERE c.table_schema = 'public' AND c.data_type LIKE 'timestamp%'
			  AND EXISTS (SELECT 1 FROM information_schema.columns k
			      WHERE k.table_schema = 'public' AND k.table_name = c.table_name AND k.column_name = 'case_id')
			ORDER BY 1, 2`).Scan(ctx, &cols)
		if err != nil || len(cols) < 10 {
			e.t.Fatalf("case tables: %d, %v", len(cols), err)
		}
		for _, c := range cols {
			var ats []time.Time
			if err := tx.NewRaw("SELECT ? FROM ? WHERE case_id = ? AND ? IS NOT NULL",
				bun.Ident(c.Column), bun.Ident(c.Table), caseID, bun.Ident(c.Column)).Scan(ctx, &ats); err != nil {
				return fmt.Errorf("%s.%s: %w", c.Table, c.Column, err)
			}
			out[c.Table+"."+c.Column] = append(out[c.Table+"."+c.Column], ats...)
		}
		// And the case's own row.
		var own []string
		err = tx.NewRaw(`SELECT column_name FROM information_schema.columns
			WHERE table_schema = 'public' AND table_name = 'cases' AND data_type LIKE 'timestamp%'`).Scan(ctx, &own)
		if err != nil {
			return err
		}
		for _, col := range own {
			var at *time.Time
			if err := tx.NewRaw("SELECT ? FROM cases WHERE id = ?", bun.Ident(col), caseID).Scan(ctx, &at); err != nil {
				return fmt.Errorf("cases.%s: %w", col, err)
			}
			if at != nil {
				out["cases."+col] = append(out["cases."+col], *at)
			}
		}
		return nil
	})
	return out
}

// exactTimes lists the stored times that are not their hour (plus the
// microseconds that keep rows of one hour in order). A deadline ends the
// microsecond before an hour (the end of a working day).
func exactTimes(times map[string][]time.Time) []string {
	var out []string
	for col, ats := range times {
		for _, at := range ats {
			if end := at.Add(time.Microsecond); end.Truncate(time.Hour).Equal(end) {
				continue
			}
			if at.Sub(at.Truncate(time.Hour)) > time.Millisecond {
				out = append(out, fmt.Sprintf("%s = %s", col, at.UTC().Format(time.RFC3339Nano)))
			}
		}
	}
	return out
}

// An anonymous case keeps the hour in every table that names it, through
// its whole life on the running platform: the critical filing's alarms to
// the branch (in-app, and by SMS through the gateway), classification, the
// evidence and message the reporter adds, the officer's reply, the
// officers' reading of their notifications and the analytics rollup. A
// named case beside it keeps exact times, so the probe can see them.
func TestAnonymousCaseStoresOnlyItsHour(t *testing.T) {
	e := newCaseEnv(t, func(cfg *config.Config) { cfg.Classify.Ollama.Enabled = false })
	gw := e.gateway("spn")
	// The branch on call gets the critical alarm by SMS too.
	if _, err := e.db.Super.ExecContext(context.Background(), "UPDATE users SET phone = '+6281299990001' WHERE email = 'branch@spn.example'"); err != nil {
		t.Fatal(err)
	}
	wp := e.workplaceID("spn", "pt-maju-jaya-garmen")
	const danger = "Pintu darurat di gedung jahit dikunci dari luar saat lembur malam ini, kami tidak bisa keluar"
	anon := e.file(spnHost, "", map[string]any{"type": "complaint", "workplace_id": wp, "description": danger})
	worker := e.login(spnHost, map[string]string{"phone": "081200000001", "password": demoPW})
	named := e.file(spnHost, worker, map[string]any{"type": "complaint", "safety_mode": "named", "workplace_id": wp,
		"description": "Upah lembur bulan lalu belum dibayar penuh oleh perusahaan"})
	anonID, namedID := anon["id"].(string), named["id"].(string)

	rtok := e.receiptSession(spnHost, anon["receipt_code"].(string))
	jpg, _ := jpegWithGPS(t)
	if resp, body := e.upload(spnHost, "/api/v1/receipt/evidence", rtok, "pintu.jpg", "image/jpeg", jpg); resp.StatusCode != http.StatusCreated {
		t.Fatalf("receipt evidence: %d %v", resp.StatusCode, body)
	}
	if resp, body := e.postJSON(spnHost, "/api/v1/receipt/messages", map[string]any{"body": "Pintunya masih dikunci"}, bearer(rtok)...); resp.StatusCode != http.StatusCreated {
		t.Fatalf("receipt message: %d %v", resp.StatusCode, body)
	}

	ctx := context.Background()
	if err := e.pf.Jobs.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = e.pf.Jobs.Stop(stopCtx)
	})
	// Classified, rolled up, and the alarms sent.
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		q := `SELECT (SELECT count(*) FROM case_suggestions WHERE case_id = ?) * (SELECT count(*) FROM case_facts WHERE case_id = ?)`
		sent := "SELECT count(*) FROM outbox WHERE case_id = ? AND channel = 'sms' AND status = 'delivered'"
		if e.countRows("spn", q, anonID, anonID) > 0 && e.countRows("spn", sent, anonID) > 0 && e.countRows("spn", q, namedID, namedID) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not classified, rolled up and alarmed by SMS within a minute (gateway got %d)", len(gw.sent()))
		}
	}
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	branch := e.login(spnHost, map[string]string{"email": "branch@spn.example", "password": demoPW})
	for _, id := range []string{anonID, namedID} {
		if resp, body := e.postJSON(spnHost, "/api/v1/cases/"+id+"/messages", map[string]any{"body": "Kami datang besok pagi"}, bearer(admin)...); resp.StatusCode != http.StatusCreated {
			t.Fatalf("officer message: %d %v", resp.StatusCode, body)
		}
	}
	// The named reporter writes after the alarm: the branch admin's inbox
	// still lists the unread critical alarm first, though it is stamped
	// with the start of its hour.
	if resp, body := e.postJSON(spnHost, "/api/v1/cases/"+namedID+"/messages", map[string]any{"body": "Sudah dua bulan"}, bearer(worker)...); resp.StatusCode != http.StatusCreated {
		t.Fatalf("reporter message: %d %v", resp.StatusCode, body)
	}
	_, inbox := e.getJSON(spnHost, "/api/v1/notifications", branch)
	items, _ := inbox["notifications"].([]any)
	alarmAt, messageAt := -1, -1
	for i, item := range items {
		it := item.(map[string]any)
		switch {
		case it["case_id"] == anonID && it["kind"] == "critical_filed":
			alarmAt = i
		case it["case_id"] == namedID && it["kind"] == "message_to_handler":
			messageAt = i
		}
	}
	if alarmAt < 0 || messageAt < 0 || alarmAt > messageAt {
		t.Errorf("branch admin's inbox: the anonymous alarm at %d, the later message at %d; want the alarm first: %v", alarmAt, messageAt, items)
	}
	if resp, body := e.postJSON(spnHost, "/api/v1/notifications/read", map[string]any{}, bearer(branch)...); resp.StatusCode != http.StatusOK || body["marked"] == float64(0) {
		t.Fatalf("branch admin marks read: %d %v", resp.StatusCode, body)
	}

	// The officer asks for information (the SLA clock pauses), the reporter
	// answers by receipt (it resumes), the officer resolves the case and
	// records its outcome.
	staff := func(tr string, extra map[string]any) {
		t.Helper()
		body := map[string]any{"transition": tr}
		for k, v := range extra {
			body[k] = v
		}
		if resp, out := e.postJSON(spnHost, "/api/v1/cases/"+anonID+"/transitions", body, bearer(admin)...); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %v", tr, resp.StatusCode, out)
		}
	}
	staff("verify", nil)
	staff("request_info", map[string]any{"reason": "Di gedung mana?"})
	if resp, body := e.postJSON(spnHost, "/api/v1/receipt/info", map[string]any{"body": "Gedung jahit B."}, bearer(rtok)...); resp.StatusCode != http.StatusOK {
		t.Fatalf("receipt answer: %d %v", resp.StatusCode, body)
	}
	staff("start", nil)
	staff("resolve", nil)
	if resp, body := e.postJSON(spnHost, "/api/v1/cases/"+anonID+"/outcome", map[string]any{"ladder_stage": "bipartite",
		"outcome_types": []string{"policy_change"}}, bearer(admin)...); resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		t.Fatalf("outcome: %d %v", resp.StatusCode, body)
	}

	anonTimes := e.caseTimes("spn", anonID)
	for _, must := range []string{"case_events.created_at", "evidence_files.created_at", "case_suggestions.created_at",
		"outbox.created_at", "outbox.delivered_at", "outbox.read_at", "case_facts.rolled_at",
		"case_pauses.started_at", "case_pauses.ended_at", "cases.resolved_at", "case_outcomes.recorded_at"} {
		if len(anonTimes[must]) == 0 {
			t.Errorf("no %s stored for the anonymous case: the test does not reach it", must)
		}
	}
	for _, leak := range exactTimes(anonTimes) {
		t.Errorf("anonymous case: %s", leak)
	}
	if len(exactTimes(e.caseTimes("spn", namedID))) == 0 {
		t.Error("the named case's times are all on the hour: the probe would not see an exact time")
	}
}
