package web_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/analytics"
)

// apiActors are the signed-in callers and ids the contract walk shares.
type apiActors struct {
	worker, other, officer, branch, admin string
	wp                                    string            // the demo workplace of the officer's unit
	ids                                   map[string]string // spn branch path → id
}

// statusCheck fails the test unless got is one of want.
type statusCheck func(what string, got int, want ...int)

// exerciseMore drives every route registered after the first version of the
// document (handling, queue, notifications, privacy, tenant administration
// and the platform analytics), successes and refusals, into r.log. Each
// refusal is one the handler means (bad input, wrong role, another tenant's
// id), so the error shape is validated too.
func exerciseMore(t *testing.T, e *env, r *recorder, a apiActors, must statusCheck) {
	t.Helper()
	exerciseHandling(t, e, r, a, must)
	exerciseReceiptHandling(t, e, r, a, must)
	exerciseQueue(r, a, must)
	exerciseNotifications(r, a, must)
	exercisePrivacy(r, a, must)
	exerciseAccounts(r, a, must)
	exerciseAdmin(t, e, r, a, must)
	exerciseSettings(t, e, r, a, must)
	exerciseExports(r, a, must)
	exercisePlatform(e, r, a, must)
	exerciseTeam(t, e, r, a, must)
}

// checkinDue makes check-in 1 of a case due now (the job that schedules it
// runs at closing, days before it is due).
func checkinDue(e *env, caseID string) {
	e.t.Helper()
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO case_checkins (tenant_id, case_id, n, due_at)
			SELECT tenant_id, id, 1, now() - interval '1 day' FROM cases WHERE id = ? ON CONFLICT DO NOTHING`, caseID)
		return err
	})
}

func userID(e *env, email string) string {
	e.t.Helper()
	var id string
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT id::text FROM users WHERE email = ?", email).Scan(&id)
	})
	return id
}

func exerciseHandling(t *testing.T, e *env, r *recorder, a apiActors, must statusCheck) {
	t.Helper()
	st, c := r.json("POST", "/cases", a.worker, map[string]any{"type": "complaint", "workplace_id": a.wp,
		"description": "Tunjangan makan tidak dibayar sejak tiga bulan lalu."})
	must("file for handling", st, 201)
	id := fmt.Sprint(c["id"])
	cases := "/cases/" + id

	// Transitions.
	st, _ = r.json("GET", cases+"/transitions", a.branch, nil)
	must("allowed transitions", st, 200)
	st, _ = r.json("GET", cases+"/transitions", a.worker, nil)
	must("allowed transitions as reporter", st, 200)
	st, _ = r.json("GET", cases+"/transitions", a.other, nil)
	must("allowed transitions of someone else's case", st, 404)
	st, _ = r.json("GET", cases+"/transitions", "", nil)
	must("allowed transitions signed out", st, 401)
	st, body := r.json("POST", cases+"/transitions", a.officer, map[string]any{"transition": "resolve"})
	must("transition not allowed from submitted", st, 409)
	if errBody, _ := body["error"].(map[string]any); errBody["allowed"] == nil {
		t.Errorf("409 without the allowed list: %v", body)
	}
	st, _ = r.json("POST", cases+"/transitions", a.worker, map[string]any{"transition": "verify"})
	must("reporter verifying", st, 403)
	st, _ = r.json("POST", cases+"/transitions", a.officer, map[string]any{"transition": "reject"})
	must("reject without reason", st, 422)
	x := r.call("POST", cases+"/transitions", a.officer, "text/plain", []byte("verify"))
	must("transition not JSON", x.status, 415)
	st, _ = r.json("POST", cases+"/transitions", a.officer, map[string]any{"transition": "verify"})
	must("verify", st, 200)

	// Assignment, actions, notes, playbook.
	officerID := userID(e, "officer@spn.example")
	st, _ = r.json("POST", cases+"/assign", a.officer, map[string]any{"officer_id": officerID})
	must("officer assigning", st, 403)
	st, _ = r.json("POST", cases+"/assign", a.branch, map[string]any{"officer_id": "nobody"})
	must("assign bad officer", st, 422)
	st, _ = r.json("POST", cases+"/assign", a.branch, map[string]any{"officer_id": officerID})
	must("assign", st, 200)
	st, _ = r.json("POST", cases+"/actions", a.officer, map[string]any{"kind": "bipartite", "visibility": "reporter"})
	must("action without meeting date", st, 422)
	st, _ = r.json("POST", cases+"/actions", a.officer, map[string]any{"kind": "bipartite", "visibility": "reporter",
		"meeting_date": "2026-02-03", "participants": []string{"Ketua PUK", "HRD"}, "outcome": "continued"})
	must("action", st, 201)
	st, _ = r.json("POST", cases+"/actions", a.worker, map[string]any{"kind": "agreement"})
	must("action by the reporter", st, 403, 404)
	st, _ = r.json("POST", cases+"/notes", a.officer, map[string]any{"body": "Pelapor bersedia hadir di perundingan."})
	must("note", st, 201)
	st, _ = r.json("POST", cases+"/notes", a.officer, map[string]any{"body": ""})
	must("empty note", st, 422)
	st, _ = r.json("GET", cases+"/playbook", a.officer, nil)
	must("playbook", st, 200)
	st, _ = r.json("GET", cases+"/playbook", a.worker, nil)
	must("playbook as reporter", st, 403, 404)

	// Resolution, rating, check-in, reopening.
	st, _ = r.json("POST", cases+"/rating", a.worker, map[string]any{"handling": 4, "outcome": 4})
	must("rate before resolution", st, 409)
	st, _ = r.json("POST", cases+"/outcome", a.officer, map[string]any{"ladder_stage": "bipartite", "outcome_types": []string{"back_pay"}})
	must("outcome before resolution", st, 409)
	for _, tr := range []string{"start", "resolve"} {
		st, _ = r.json("POST", cases+"/transitions", a.officer, map[string]any{"transition": tr})
		must(tr, st, 200)
	}
	st, _ = r.json("POST", cases+"/outcome", a.officer, map[string]any{"ladder_stage": "court", "outcome_types": []string{"gold"}})
	must("outcome bad choices", st, 422)
	st, _ = r.json("POST", cases+"/outcome", a.worker, map[string]any{"ladder_stage": "bipartite", "outcome_types": []string{"back_pay"}})
	must("outcome by the reporter", st, 403, 404)
	st, _ = r.json("POST", cases+"/outcome", a.officer, map[string]any{"ladder_stage": "mediation",
		"outcome_types": []string{"back_pay", "reinstatement"}, "money_idr": "12.500.000", "money_workers": "3"})
	must("outcome", st, 200)
	st, _ = r.json("POST", cases+"/rating", a.worker, map[string]any{"handling": 9, "outcome": 0})
	must("rating out of range", st, 422)
	st, _ = r.json("POST", cases+"/rating", a.officer, map[string]any{"handling": 5, "outcome": 5})
	must("staff rating", st, 403, 404)
	st, _ = r.json("POST", cases+"/rating", a.worker, map[string]any{"handling": 4, "outcome": 3, "comment": "Cepat ditangani."})
	must("rate", st, 201)
	st, _ = r.json("POST", cases+"/rating", a.worker, map[string]any{"handling": 4, "outcome": 3})
	must("rate twice", st, 409)
	checkinDue(e, id)
	st, _ = r.json("POST", cases+"/checkins/3", a.worker, map[string]any{"remedy_held": true, "retaliation": false})
	must("check-in 3", st, 404)
	st, _ = r.json("POST", cases+"/checkins/1", a.worker, map[string]any{"remedy_held": true, "retaliation": false})
	must("check-in", st, 200)
	st, _ = r.json("POST", cases+"/reopen", a.worker, map[string]any{"reason": ""})
	must("reopen without reason", st, 422)
	st, _ = r.json("POST", cases+"/reopen", a.officer, map[string]any{"reason": "Staf tidak membuka kembali."})
	must("reopen by staff", st, 403, 409)
	st, _ = r.json("POST", cases+"/reopen", a.worker, map[string]any{"reason": "Tunjangan bulan lalu masih belum dibayar."})
	must("reopen", st, 200)

	// Another tenant: the same case id is not found.
	g := &recorder{e: e, host: otherHost}
	gAdmin := e.login(otherHost, map[string]string{"email": "admin@garteks.example", "password": demoPW})
	st, _ = g.json("GET", cases+"/transitions", gAdmin, nil)
	must("transitions on another tenant", st, 404)
	st, _ = g.json("POST", cases+"/transitions", gAdmin, map[string]any{"transition": "start"})
	must("transition on another tenant", st, 404)
	st, _ = g.json("POST", cases+"/notes", gAdmin, map[string]any{"body": "x"})
	must("note on another tenant", st, 404)
	st, _ = g.json("POST", cases+"/assign", gAdmin, map[string]any{"officer_id": officerID})
	must("assign on another tenant", st, 404)
	r.log = append(r.log, g.log...)

	// Canned replies and status wording.
	st, _ = r.json("POST", "/canned-replies", a.admin, map[string]any{"locale": "id", "title": "Terima kasih", "body": "Terima kasih, laporan Anda kami terima."})
	must("canned reply", st, 201)
	st, gone := r.json("POST", "/canned-replies", a.admin, map[string]any{"locale": "en", "title": "Thanks", "body": "Thank you, we received your report."})
	must("canned reply to delete", st, 201)
	x = r.call("DELETE", "/canned-replies/"+fmt.Sprint(gone["id"]), a.officer, "", nil)
	must("delete canned reply by officer", x.status, 403)
	x = r.call("DELETE", "/canned-replies/"+fmt.Sprint(gone["id"]), a.admin, "", nil)
	must("delete canned reply", x.status, 204)
	x = r.call("DELETE", "/canned-replies/"+fmt.Sprint(gone["id"]), a.admin, "", nil)
	must("delete canned reply twice", x.status, 404)
	st, _ = r.json("POST", "/canned-replies", a.admin, map[string]any{"locale": "fr", "title": "", "body": ""})
	must("canned reply bad", st, 422)
	st, _ = r.json("POST", "/canned-replies", a.officer, map[string]any{"locale": "id", "title": "x", "body": "y"})
	must("canned reply by officer", st, 403)
	st, _ = r.json("GET", "/canned-replies?locale=id", a.officer, nil)
	must("canned replies", st, 200)
	st, _ = r.json("GET", "/canned-replies", a.worker, nil)
	must("canned replies as worker", st, 403)
	st, _ = r.json("GET", "/statuses", "", nil)
	must("statuses", st, 200)
	st, _ = r.json("PUT", "/statuses/resolved", a.admin, map[string]any{"id": "Selesai ditangani", "en": "Handled"})
	must("status wording", st, 200)
	st, _ = r.json("PUT", "/statuses/nope", a.admin, map[string]any{"id": "x"})
	must("status wording of no status", st, 422)
	st, _ = r.json("PUT", "/statuses/resolved", a.officer, map[string]any{"id": "x"})
	must("status wording by officer", st, 403)
}

func exerciseReceiptHandling(t *testing.T, e *env, r *recorder, a apiActors, must statusCheck) {
	t.Helper()
	st, c := r.json("POST", "/cases", "", map[string]any{"type": "complaint", "workplace_id": a.wp,
		"description": "Pekerja hamil tetap disuruh lembur malam di gudang."})
	must("file anonymous for handling", st, 201)
	id, code := fmt.Sprint(c["id"]), fmt.Sprint(c["receipt_code"])
	st, sess := r.json("POST", "/receipts/session", "", map[string]any{"code": code})
	must("receipt session for handling", st, 201)
	rt := fmt.Sprint(sess["token"])
	const rc = "/receipt"
	st, _ = r.json("POST", rc+"/transitions", rt, map[string]any{"transition": "verify"})
	must("receipt holder verifying", st, 403)
	st, _ = r.json("POST", rc+"/rating", rt, map[string]any{"handling": 3, "outcome": 3})
	must("receipt rate before resolution", st, 409)
	for _, tr := range []string{"verify", "start", "resolve"} {
		st, _ = r.json("POST", "/cases/"+id+"/transitions", a.officer, map[string]any{"transition": tr})
		must("anonymous "+tr, st, 200)
	}
	st, _ = r.json("POST", rc+"/rating", rt, map[string]any{"handling": 6, "outcome": 3})
	must("receipt rating out of range", st, 422)
	st, _ = r.json("POST", rc+"/rating", rt, map[string]any{"handling": 2, "outcome": 1, "comment": "Belum ada perubahan."})
	must("receipt rating", st, 201)
	st, _ = r.json("POST", "/receipt/rating", "rs1.forged", map[string]any{"handling": 2, "outcome": 1})
	must("rating with a forged session", st, 401)
	checkinDue(e, id)
	st, _ = r.json("POST", rc+"/checkins/1", rt, map[string]any{"remedy_held": false, "retaliation": false, "comment": "Masih lembur malam."})
	must("receipt check-in", st, 200)
	st, _ = r.json("POST", rc+"/checkins/0", rt, map[string]any{"remedy_held": true})
	must("receipt check-in 0", st, 404)
	st, _ = r.json("POST", rc+"/reopen", rt, map[string]any{"reason": ""})
	must("receipt reopen without reason", st, 422)
	st, _ = r.json("POST", rc+"/reopen", rt, map[string]any{"reason": "Masih disuruh lembur malam."})
	must("receipt reopen", st, 200)
	st, _ = r.json("POST", rc+"/info", rt, map[string]any{"body": "Jadwal lembur terlampir."})
	must("receipt answer while nothing was asked", st, 409)
	st, _ = r.json("POST", "/cases/"+id+"/transitions", a.officer, map[string]any{"transition": "request_info", "reason": "Kirim jadwal lembur."})
	must("anonymous request_info", st, 200)
	st, _ = r.json("POST", rc+"/info", rt, map[string]any{"body": ""})
	must("receipt empty answer", st, 422)
	st, _ = r.json("POST", rc+"/info", rt, map[string]any{"body": "Jadwal lembur terlampir."})
	must("receipt answer", st, 200)
	st, _ = r.json("POST", rc+"/withdraw", rt, map[string]any{"reason": "Sudah dipindah ke shift pagi."})
	must("receipt withdraw", st, 200)
	st, _ = r.json("POST", rc+"/transitions", rt, map[string]any{"transition": "withdraw"})
	must("receipt withdraw twice", st, 409)
	st, _ = r.json("GET", rc+"/notifications", rt, nil)
	must("receipt notifications", st, 200)
	st, _ = r.json("GET", "/receipt/notifications", "", nil)
	must("receipt notifications without a session", st, 401)

	g := &recorder{e: e, host: otherHost}
	st, _ = g.json("POST", rc+"/transitions", rt, map[string]any{"transition": "withdraw"})
	must("receipt transition on another tenant", st, 401)
	st, _ = g.json("GET", rc+"/notifications", rt, nil)
	must("receipt notifications on another tenant", st, 401)
	r.log = append(r.log, g.log...)
}

func exerciseQueue(r *recorder, a apiActors, must statusCheck) {
	st, body := r.json("GET", "/cases", a.officer, nil)
	must("queue", st, 200)
	if list, _ := body["cases"].([]any); len(list) == 0 {
		r.e.t.Errorf("the officer's queue is empty: the queue shape is not validated")
	}
	st, _ = r.json("GET", "/cases?status=open&sort=due&assigned=me&limit=5", a.officer, nil)
	must("queue filtered", st, 200)
	st, _ = r.json("GET", "/cases?q=lembur&urgency=high,normal&safety_mode=anonymous&from=2024-01-01&to=2030-12-31", a.branch, nil)
	must("queue searched", st, 200)
	st, _ = r.json("GET", "/cases?status=gossip&sort=random&from=yesterday", a.officer, nil)
	must("queue bad filters", st, 422)
}

func exerciseNotifications(r *recorder, a apiActors, must statusCheck) {
	st, _ := r.json("GET", "/notifications?limit=10", a.worker, nil)
	must("notifications", st, 200)
	st, _ = r.json("GET", "/notifications", a.officer, nil)
	must("notifications staff", st, 200)
	st, _ = r.json("GET", "/notifications", "", nil)
	must("notifications signed out", st, 401)
	st, _ = r.json("POST", "/notifications/read", a.worker, map[string]any{})
	must("mark all read", st, 200)
	st, _ = r.json("POST", "/notifications/read", a.worker, map[string]any{"ids": []string{uuid.NewString()}})
	must("mark one read", st, 200)
	st, _ = r.json("POST", "/notifications/read", a.worker, map[string]any{"ids": []string{"not-an-id"}})
	must("mark read bad id", st, 422)
	st, _ = r.json("GET", "/me/notification-preferences", a.worker, nil)
	must("preferences", st, 200)
	st, _ = r.json("GET", "/me/notification-preferences", "", nil)
	must("preferences signed out", st, 401)
	st, _ = r.json("POST", "/me/notification-preferences", a.worker, map[string]any{"whatsapp": true, "digest": true, "locale": "en"})
	must("set preferences", st, 200)
	st, _ = r.json("POST", "/me/notification-preferences", a.worker, map[string]any{"locale": "klingon"})
	must("set preferences bad locale", st, 422)
	x := r.call("POST", "/me/notification-preferences", a.worker, "text/plain", []byte("sms=off"))
	must("set preferences not JSON", x.status, 415)

	st, _ = r.json("GET", "/admin/notifications?status=pending&limit=20", a.admin, nil)
	must("pending deliveries", st, 200)
	st, _ = r.json("GET", "/admin/notifications", a.admin, nil)
	must("deliveries", st, 200)
	st, _ = r.json("GET", "/admin/notifications?status=lost", a.admin, nil)
	must("deliveries bad status", st, 422)
	st, _ = r.json("GET", "/admin/notifications", a.worker, nil)
	must("deliveries as worker", st, 403)
	st, settings := r.json("GET", "/admin/notification-settings", a.admin, nil)
	must("notification settings", st, 200)
	st, _ = r.json("GET", "/admin/notification-settings", a.officer, nil)
	must("notification settings as officer", st, 403)
	settings["sender_name"] = "SPN Pengaduan"
	settings["gateway_token"] = "rahasia-gateway-token"
	st, saved := r.json("PUT", "/admin/notification-settings", a.admin, settings)
	must("save notification settings", st, 200)
	if _, leaked := saved["gateway_token"]; leaked {
		r.e.t.Errorf("the gateway token came back: %v", saved)
	}
	st, _ = r.json("PUT", "/admin/notification-settings", a.admin, map[string]any{"quiet_start": 99, "sender_name": "<b>"})
	must("save notification settings bad", st, 422)
}

func exercisePrivacy(r *recorder, a apiActors, must statusCheck) {
	st, _ := r.json("GET", "/me/export", a.worker, nil)
	must("export", st, 200)
	st, _ = r.json("GET", "/me/export", "", nil)
	must("export signed out", st, 401)
	reg := r.register(must, "Sri", "081277770099")
	tok := fmt.Sprint(reg["token"])
	st, _ = r.json("POST", "/me/delete", tok, map[string]any{"confirm": false})
	must("delete unconfirmed", st, 422)
	x := r.call("POST", "/me/delete", tok, "", nil)
	must("delete without body", x.status, 415, 422)
	st, _ = r.json("POST", "/me/delete", tok, map[string]any{"confirm": true})
	must("delete", st, 202)
	st, _ = r.json("POST", "/me/delete", "", map[string]any{"confirm": true})
	must("delete signed out", st, 401)
}

func exerciseAdmin(t *testing.T, e *env, r *recorder, a apiActors, must statusCheck) {
	t.Helper()
	g := &recorder{e: e, host: otherHost}
	gAdmin := e.login(otherHost, map[string]string{"email": "admin@garteks.example", "password": demoPW})
	defer func() { r.log = append(r.log, g.log...) }()

	st, _ := r.json("GET", "/admin/events?limit=10", a.admin, nil)
	must("admin events", st, 200)
	st, _ = r.json("GET", "/admin/events", a.officer, nil)
	must("admin events as officer", st, 403)

	// Dashboard and people.
	st, _ = r.json("GET", "/admin/dashboard", a.admin, nil)
	must("dashboard", st, 200)
	st, _ = r.json("GET", "/admin/dashboard?branch=spn/jabar", a.branch, nil)
	must("branch dashboard", st, 200)
	st, _ = r.json("GET", "/admin/dashboard?branch=spn", a.branch, nil)
	must("dashboard above one's branch", st, 403)
	st, _ = r.json("GET", "/admin/dashboard", a.worker, nil)
	must("dashboard as worker", st, 403)
	st, _ = g.json("GET", "/admin/dashboard?branch=spn/jabar", gAdmin, nil)
	must("dashboard of another tenant's branch", st, 404)
	st, _ = r.json("GET", "/admin/workers?member=true&limit=5&offset=0", a.admin, nil)
	must("workers", st, 200)
	st, workers := r.json("GET", "/admin/workers", a.admin, nil)
	must("all workers", st, 200)
	if list, _ := workers["workers"].([]any); len(list) == 0 {
		t.Errorf("no workers listed: their shape is not validated")
	}
	st, _ = r.json("GET", "/admin/workers", a.officer, nil)
	must("workers as officer", st, 403)
	st, _ = r.json("GET", "/admin/workers", "", nil)
	must("workers signed out", st, 401)

	// Categories.
	st, list := r.json("GET", "/admin/categories", a.admin, nil)
	must("categories", st, 200)
	st, _ = r.json("GET", "/admin/categories", a.branch, nil)
	must("categories as branch admin", st, 403)
	slugs := map[string]string{}
	if cats, ok := list["categories"].([]any); ok {
		for _, c := range cats {
			if m, ok := c.(map[string]any); ok {
				slugs[fmt.Sprint(m["slug"])] = fmt.Sprint(m["id"])
			}
		}
	}
	st, cat := r.json("POST", "/admin/categories", a.admin, map[string]any{"slug": "lembur_paksa", "name_id": "Lembur dipaksa",
		"name_en": "Forced overtime", "parent_id": slugs["jam_kerja"], "sla_first_response_days": 2, "sla_resolution_days": 20,
		"keywords": []string{"lembur paksa"}, "playbook_id": []string{"Catat jam lembur"}, "playbook_en": []string{"Log the overtime hours"}})
	must("create category", st, 201)
	catID := fmt.Sprint(cat["id"])
	st, _ = r.json("POST", "/admin/categories", a.admin, map[string]any{"slug": "Bad Slug!", "sla_first_response_days": -1})
	must("create category bad", st, 422)
	st, _ = r.json("POST", "/admin/categories", a.admin, map[string]any{"slug": "lembur_paksa", "name_id": "Lagi", "name_en": "Again"})
	must("create category twice", st, 409, 422)
	st, _ = r.json("GET", "/admin/categories/"+catID, a.admin, nil)
	must("category", st, 200)
	st, _ = r.json("GET", "/admin/categories/"+uuid.NewString(), a.admin, nil)
	must("unknown category", st, 404)
	st, _ = g.json("GET", "/admin/categories/"+catID, gAdmin, nil)
	must("category on another tenant", st, 404)
	st, _ = r.json("PATCH", "/admin/categories/"+catID, a.admin, map[string]any{"name_en": "Compulsory overtime", "restricted": true})
	must("update category", st, 200)
	st, _ = r.json("PATCH", "/admin/categories/"+catID, a.admin, map[string]any{"sla_resolution_days": 0})
	must("update category bad", st, 422)
	st, _ = g.json("PATCH", "/admin/categories/"+catID, gAdmin, map[string]any{"name_en": "x"})
	must("update category on another tenant", st, 404)
	x := r.call("POST", "/admin/categories/"+catID+"/hide", a.admin, "", nil)
	must("hide category", x.status, 204)
	x = r.call("POST", "/admin/categories/"+catID+"/show", a.admin, "", nil)
	must("show category", x.status, 204)
	x = r.call("POST", "/admin/categories/"+uuid.NewString()+"/hide", a.admin, "", nil)
	must("hide unknown category", x.status, 404)
	x = r.call("POST", "/admin/categories/"+uuid.NewString()+"/show", a.admin, "", nil)
	must("show unknown category", x.status, 404)
	st, _ = r.json("POST", "/admin/categories/reorder", a.admin, map[string]any{"ids": []string{slugs["k3"], slugs["upah"]}})
	must("reorder categories", st, 204)
	st, _ = r.json("POST", "/admin/categories/reorder", a.admin, map[string]any{"ids": []string{slugs["upah"], slugs["upah"]}})
	must("reorder categories bad", st, 422)
	st, _ = r.json("POST", "/admin/categories/"+catID+"/merge", a.admin, map[string]any{"into": catID})
	must("merge category into itself", st, 422)
	st, _ = r.json("POST", "/admin/categories/"+catID+"/merge", a.admin, map[string]any{"into": "x"})
	must("merge category bad", st, 422)
	st, _ = r.json("POST", "/admin/categories/"+catID+"/merge", a.admin, map[string]any{"into": slugs["jam_kerja"]})
	must("merge category", st, 200)
	st, tmp := r.json("POST", "/admin/categories", a.admin, map[string]any{"slug": "coba", "name_id": "Coba", "name_en": "Try"})
	must("create category to delete", st, 201)
	x = r.call("DELETE", "/admin/categories/"+fmt.Sprint(tmp["id"]), a.admin, "", nil)
	must("delete category", x.status, 204)
	x = r.call("DELETE", "/admin/categories/"+fmt.Sprint(tmp["id"]), a.admin, "", nil)
	must("delete category twice", x.status, 404)
	x = g.call("DELETE", "/admin/categories/"+slugs["upah"], gAdmin, "", nil)
	must("delete category on another tenant", x.status, 404)

	st, evs := r.json("GET", "/admin/events", a.admin, nil)
	must("admin events after changes", st, 200)
	if list, _ := evs["events"].([]any); len(list) == 0 {
		t.Errorf("no admin events after category changes: their shape is not validated")
	}

	// Branches.
	st, _ = r.json("GET", "/admin/branches", a.admin, nil)
	must("branches", st, 200)
	st, _ = r.json("GET", "/admin/branches", a.officer, nil)
	must("branches as officer", st, 403)
	st, br := r.json("POST", "/admin/branches", a.admin, map[string]any{"parent_id": a.ids["spn"], "slug": "jatim", "name": "DPD SPN Jawa Timur", "level": "province"})
	must("create branch", st, 201)
	jatim := fmt.Sprint(br["id"])
	st, _ = r.json("POST", "/admin/branches", a.admin, map[string]any{"parent_id": a.ids["spn"], "slug": "", "name": "", "level": "galaxy"})
	must("create branch bad", st, 422)
	st, _ = r.json("POST", "/admin/branches", a.admin, map[string]any{"parent_id": a.ids["spn"], "slug": "jatim", "name": "Lagi", "level": "province"})
	must("create branch twice", st, 409, 422)
	st, _ = r.json("PATCH", "/admin/branches/"+jatim, a.admin, map[string]any{"name": "DPD SPN Jatim"})
	must("rename branch", st, 200)
	st, _ = r.json("PATCH", "/admin/branches/"+jatim, a.admin, map[string]any{"name": ""})
	must("rename branch bad", st, 422)
	st, _ = g.json("PATCH", "/admin/branches/"+jatim, gAdmin, map[string]any{"name": "x"})
	must("rename branch on another tenant", st, 404)
	st, city := r.json("POST", "/admin/branches", a.admin, map[string]any{"parent_id": jatim, "slug": "surabaya", "name": "DPC Surabaya", "level": "city"})
	must("create city branch", st, 201)
	st, _ = r.json("POST", "/admin/branches/"+fmt.Sprint(city["id"])+"/move", a.admin, map[string]any{"parent_id": a.ids["spn/jabar"]})
	must("move branch", st, 200)
	st, _ = r.json("POST", "/admin/branches/"+jatim+"/move", a.admin, map[string]any{"parent_id": "x"})
	must("move branch bad", st, 422)
	st, _ = r.json("POST", "/admin/branches/"+a.ids["spn"]+"/move", a.admin, map[string]any{"parent_id": jatim})
	must("move the root", st, 409)
	st, _ = g.json("POST", "/admin/branches/"+jatim+"/move", gAdmin, map[string]any{"parent_id": jatim})
	must("move branch on another tenant", st, 404)
	x = r.call("POST", "/admin/branches/"+jatim+"/close", a.admin, "", nil)
	must("close branch", x.status, 204)
	x = r.call("POST", "/admin/branches/"+a.ids["spn"]+"/close", a.admin, "", nil)
	must("close the root", x.status, 409)
	x = g.call("POST", "/admin/branches/"+a.ids["spn/jabar"]+"/close", gAdmin, "", nil)
	must("close branch on another tenant", x.status, 404)

	// Workplaces.
	st, _ = r.json("GET", "/admin/workplaces", a.admin, nil)
	must("workplaces", st, 200)
	st, _ = r.json("GET", "/admin/workplaces", a.worker, nil)
	must("workplaces as worker", st, 403)
	st, wp := r.json("POST", "/admin/workplaces", a.admin, map[string]any{"company": "PT Sepatu Jaya", "name": "Pabrik 2",
		"sector": "footwear", "province": "Banten", "district": "Tangerang", "headcount": 1200})
	must("create workplace", st, 201)
	st, dup := r.json("POST", "/admin/workplaces", a.admin, map[string]any{"company": "PT Sepatu Jaya", "name": "Pabrik Dua", "sector": "footwear"})
	must("create duplicate workplace", st, 201)
	st, _ = r.json("POST", "/admin/workplaces", a.admin, map[string]any{"company": "", "sector": "space"})
	must("create workplace bad", st, 422)
	st, _ = r.json("POST", "/admin/workplaces/"+fmt.Sprint(dup["id"])+"/merge", a.admin, map[string]any{"into": "x"})
	must("merge workplace bad", st, 422)
	st, _ = g.json("POST", "/admin/workplaces/"+fmt.Sprint(dup["id"])+"/merge", gAdmin, map[string]any{"into": fmt.Sprint(wp["id"])})
	must("merge workplace on another tenant", st, 404, 422)
	st, _ = r.json("POST", "/admin/workplaces/"+fmt.Sprint(dup["id"])+"/merge", a.admin, map[string]any{"into": fmt.Sprint(wp["id"])})
	must("merge workplace", st, 200)
	st, _ = r.json("POST", "/admin/workplaces/"+fmt.Sprint(dup["id"])+"/merge", a.admin, map[string]any{"into": fmt.Sprint(wp["id"])})
	must("merge workplace twice", st, 404)
}

// exerciseSettings covers the tenant rules that change who handles what;
// it runs last so that it changes no earlier call.
func exerciseSettings(t *testing.T, e *env, r *recorder, a apiActors, must statusCheck) {
	t.Helper()
	var upah string
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT id::text FROM categories WHERE slug = 'upah'").Scan(&upah)
	})
	st, _ := r.json("POST", "/routing-rules", a.admin, map[string]any{"category_id": upah, "branch_id": a.ids["spn/jabar/bekasi"], "priority": 10})
	must("routing rule", st, 201)
	st, _ = r.json("POST", "/routing-rules", a.admin, map[string]any{"priority": 1})
	must("routing rule without target", st, 422)
	st, _ = r.json("POST", "/routing-rules", a.officer, map[string]any{"category_id": upah, "branch_id": a.ids["spn"]})
	must("routing rule by officer", st, 403)
	officerID := userID(e, "officer@spn.example")
	x := r.call("POST", "/staff-conflicts", a.admin, "application/json",
		[]byte(`{"user_id":"`+officerID+`","workplace_id":"`+a.wp+`","reason":"Kerabat manajer pabrik."}`))
	must("staff conflict", x.status, 204)
	st, _ = r.json("POST", "/staff-conflicts", a.admin, map[string]any{"user_id": "x", "workplace_id": a.wp})
	must("staff conflict bad", st, 422)
	st, _ = r.json("POST", "/staff-conflicts", a.officer, map[string]any{"user_id": officerID, "workplace_id": a.wp})
	must("staff conflict by officer", st, 403)
	st, _ = r.json("PUT", "/admin/settings/reopen-window", a.admin, map[string]any{"days": 14})
	must("reopen window", st, 200)
	st, _ = r.json("PUT", "/admin/settings/reopen-window", a.admin, map[string]any{"days": 366})
	must("reopen window too long", st, 422)
	st, _ = r.json("PUT", "/admin/settings/reopen-window", a.branch, map[string]any{"days": 14})
	must("reopen window by a branch admin", st, 403)
	st, _ = r.json("GET", "/admin/settings/analytics-sharing", a.admin, nil)
	must("analytics sharing", st, 200)
	st, _ = r.json("PUT", "/admin/settings/analytics-sharing", a.admin, map[string]any{"anonymous": false, "share_company": true})
	must("set analytics sharing", st, 200)
	st, _ = r.json("PUT", "/admin/settings/analytics-sharing", a.admin, map[string]any{"anonymous": "yes"})
	must("analytics sharing bad", st, 422)
	st, _ = r.json("GET", "/admin/settings/analytics-sharing", a.officer, nil)
	must("analytics sharing by an officer", st, 403)
	st, _ = r.json("PUT", "/admin/settings/analytics-sharing", a.branch, map[string]any{"anonymous": true, "share_company": false})
	must("analytics sharing by a branch admin", st, 403)
	// Off, so that the admin's session does not come to owe 2FA mid-run.
	st, _ = r.json("GET", "/admin/settings/staff-2fa", a.admin, nil)
	must("staff 2fa", st, 200)
	st, _ = r.json("PUT", "/admin/settings/staff-2fa", a.admin, map[string]any{"required": false})
	must("set staff 2fa", st, 200)
	st, _ = r.json("PUT", "/admin/settings/staff-2fa", a.admin, map[string]any{"required": "no"})
	must("staff 2fa bad", st, 422)
	st, _ = r.json("PUT", "/admin/settings/staff-2fa", a.branch, map[string]any{"required": true})
	must("staff 2fa by a branch admin", st, 403)
}

// exercisePlatform covers the cross-union analytics, on the platform host.
func exercisePlatform(e *env, r *recorder, a apiActors, must statusCheck) {
	p := &recorder{e: e, host: platformHost}
	ilo := e.login(platformHost, map[string]string{"email": "ilo@platform.example", "password": demoPW})
	e.rollup()
	st, agg := p.json("GET", "/platform/aggregates?by=tenant,type&measures=count,share,median_resolution_days&from=2024-01&to=2030-12", ilo, nil)
	must("aggregates", st, 200)
	if rows, _ := agg["rows"].([]any); len(rows) == 0 {
		e.t.Errorf("no aggregate rows after the rollup: their shape is not validated")
	}
	st, _ = p.json("GET", "/platform/aggregates?by=month&from=2024-01&to=2030-12&sector=garment", ilo, nil)
	must("aggregates by month", st, 200)
	x := p.call("GET", "/platform/aggregates?by=tenant&from=2024-01&to=2030-12&format=csv", ilo, "", nil)
	must("aggregates as CSV", x.status, 200)
	st, _ = p.json("GET", "/platform/aggregates?by=title&measures=gossip", ilo, nil)
	must("aggregates bad", st, 422)
	st, _ = p.json("GET", "/platform/aggregates?by=tenant", "", nil)
	must("aggregates signed out", st, 401)
	st, _ = p.json("GET", "/platform/overview", ilo, nil)
	must("overview", st, 200)
	root := e.login(platformHost, map[string]string{"email": "root@platform.example", "password": demoPW})
	st, qlog := p.json("GET", "/platform/query-log", root, nil)
	must("query log", st, 200)
	if qs, _ := qlog["queries"].([]any); len(qs) == 0 {
		e.t.Errorf("the query log lists no query: its shape is not validated")
	}
	st, _ = p.json("GET", "/platform/query-log?limit=0", root, nil)
	must("query log bad limit", st, 422)
	st, _ = p.json("GET", "/platform/query-log", ilo, nil)
	must("query log as an analyst", st, 403)
	st, _ = p.json("GET", "/platform/overview", a.admin, nil)
	must("overview with a tenant token", st, 401)
	if _, err := analytics.New(e.db.App, analytics.Options{K: e.cfg.Analytics.K}).GenerateReport(context.Background(), analytics.MonthOf(time.Now())); err != nil {
		e.t.Fatalf("generate report: %v", err)
	}
	st, list := p.json("GET", "/platform/reports", ilo, nil)
	must("reports", st, 200)
	if reps, _ := list["reports"].([]any); len(reps) == 0 {
		e.t.Errorf("no report listed: its shape is not validated")
	}
	st, rep := p.json("GET", "/platform/reports/"+analytics.MonthOf(time.Now()).String(), ilo, nil)
	must("report", st, 200)
	if secs, _ := rep["sectors"].([]any); len(secs) == 0 {
		e.t.Errorf("the report has no sector: its shape is not validated")
	}
	st, _ = p.json("GET", "/platform/reports/2001-01", ilo, nil)
	must("report not generated", st, 404)
	st, _ = p.json("GET", "/platform/reports/x", ilo, nil)
	must("report bad month", st, 404)
	st, _ = p.json("GET", "/platform/reports", a.admin, nil)
	must("reports with a tenant token", st, 401)
	st, _ = r.json("GET", "/platform/reports", a.admin, nil)
	must("reports on a tenant host", st, 404)
	// On a tenant host the platform API does not exist.
	st, _ = r.json("GET", "/platform/overview", a.admin, nil)
	must("overview on a tenant host", st, 404)
	st, _ = r.json("GET", "/platform/aggregates?by=tenant", a.admin, nil)
	must("aggregates on a tenant host", st, 404)
	r.log = append(r.log, p.log...)
}
