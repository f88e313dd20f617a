package chat_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/chat"
	"github.com/suara-id/suara/internal/evidence/evidencetest"
)

// A named and a confidential report by WhatsApp: text over several
// messages, an interactive reply, a photo; each ends as a case with the
// photo cleaned, the reference in the last reply, classification queued;
// a later message reaches the case's thread.
func TestWhatsAppNamedAndConfidential(t *testing.T) {
	f := newFixture(t)
	for i, mode := range []string{"named", "confidential"} {
		from := fmt.Sprintf("62812111122%02d", i)
		f.graph.mu.Lock()
		f.graph.media["img-"+mode] = photoWithMark(t)
		f.graph.media["doc-"+mode] = evidencetest.PDF(t) // author, company, XMP planted
		f.graph.mu.Unlock()
		r := f.say(t, from, f.msg(from, "text", text("halo")), 1)
		if !strings.Contains(r[0], "Serikat") && !strings.Contains(r[0], f.spn.Name) {
			t.Fatalf("greeting does not name the union: %q", r[0])
		}
		if !strings.Contains(r[0], "Anonim") || !strings.Contains(r[0], "Rahasia") || !strings.Contains(r[0], "1. Pengaduan") {
			t.Fatalf("greeting does not explain the safety modes and ask the type: %q", r[0])
		}
		f.say(t, from, f.msg(from, "interactive", button("type_complaint", "Pengaduan")), 2)
		f.say(t, from, f.msg(from, "text", text("Upah lembur bulan ini tidak dibayar oleh mandor.")), 3)
		f.say(t, from, f.msg(from, "image", map[string]any{"id": "img-" + mode, "mime_type": "image/jpeg", "sha256": "x", "caption": "slip gaji"}), 4)
		f.say(t, from, f.msg(from, "document", map[string]any{"id": "doc-" + mode, "mime_type": "application/pdf", "sha256": "x", "filename": "Slip Siti Rahayu.pdf"}), 5)
		f.say(t, from, f.msg(from, "text", text("selesai")), 6)
		modeNo := map[string]string{"named": "1", "confidential": "2"}[mode]
		r = f.say(t, from, f.msg(from, "text", text(modeNo)), 7)
		if !strings.Contains(r[6], "YA") || !strings.Contains(r[6], "Lampiran: 2") {
			t.Fatalf("no confirmation asked: %q", r[6])
		}
		r = f.say(t, from, f.msg(from, "interactive", button("confirm_yes", "Ya")), 8)
		ref := refIn(t, r[7])
		c := f.caseByRef(t, ref)
		if c.SafetyMode != mode || c.IntakeChannel != "whatsapp" {
			t.Fatalf("case %+v", c)
		}
		if mode == "named" && !c.ReporterUserID.Valid || mode == "confidential" && (!c.HasLookup || c.ReporterUserID.Valid) {
			t.Fatalf("reporter keys wrong for %s: %+v", mode, c)
		}
		kinds := f.waitEvidence(t, c.ID, 2)
		if len(kinds) != 2 || !slices.Contains(kinds, "photo") || !slices.Contains(kinds, "document") {
			t.Fatalf("evidence %v", kinds)
		}
		// the stored photo and document lost their metadata (their bytes
		// differ from what the worker sent; internal/evidence's tests read
		// the cleaned files with exiftool)
		for _, m := range []string{"img-" + mode, "doc-" + mode} {
			var leaked int
			sent := sha256.Sum256(f.graph.media[m])
			if err := f.db.Super.QueryRowContext(context.Background(), "SELECT count(*) FROM evidence_files WHERE case_id = ? AND stored_sha256 = ?", c.ID, hex.EncodeToString(sent[:])).Scan(&leaked); err != nil || leaked != 0 {
				t.Fatalf("%s stored unchanged (not cleaned): %d %v", m, leaked, err)
			}
		}
		f.waitSuggestion(t, c.ID)
		// a later message goes to the thread
		r = f.say(t, from, f.msg(from, "text", text("Mandor juga mengancam akan memecat saya.")), 9)
		if !strings.Contains(r[8], ref) {
			t.Fatalf("forward reply %q", r[8])
		}
		// Meta's status callbacks for the replies are taken and create nothing.
		if n := f.post(t, statusPayload(from, "wamid.status-"+mode, "delivered", fmt.Sprint(f.now.Unix()))); n != 0 {
			t.Fatalf("a status callback handled %d messages", n)
		}
		if got := f.graph.to(from); len(got) != 9 {
			t.Fatalf("a status callback sent replies: %d", len(got))
		}
		var n int
		_ = f.db.Super.QueryRowContext(context.Background(), "SELECT count(*) FROM case_events WHERE case_id = ? AND kind = 'message' AND payload LIKE '%memecat%'", c.ID).Scan(&n)
		if n != 1 {
			t.Fatalf("message not in thread: %d", n)
		}
	}
}

// An anonymous voice-note-only report: filed with "needs transcription",
// the receipt code in the reply with the warning, and afterwards no table,
// log line or job argument holds the sender's number.
func TestWhatsAppAnonymousVoiceNoteLeavesNoNumber(t *testing.T) {
	f := newFixture(t)
	const from = "6281299887766"
	f.graph.mu.Lock()
	f.graph.media["voice-1"] = evidencetest.OGG(t) // a real Ogg/Opus note (ffmpeg), tags and all
	f.graph.mu.Unlock()
	f.say(t, from, f.msg(from, "text", text("Halo")), 1)
	f.say(t, from, f.msg(from, "text", text("1")), 2)
	f.say(t, from, f.msg(from, "audio", map[string]any{"id": "voice-1", "mime_type": "audio/ogg; codecs=opus", "sha256": "x", "voice": true}), 3)
	f.say(t, from, f.msg(from, "text", text("selesai")), 4)
	f.say(t, from, f.msg(from, "text", text("3")), 5)
	r := f.say(t, from, f.msg(from, "text", text("ya")), 6)
	last := r[5]
	if !strings.Contains(last, "TULIS KODE INI") {
		t.Fatalf("no write-it-down warning: %q", last)
	}
	i := strings.Index(last, "TANDA TERIMA: ")
	code, ok := cases.NormaliseReceipt(strings.Fields(last[i+len("TANDA TERIMA: "):])[0])
	if !ok {
		t.Fatalf("no receipt code in %q", last)
	}
	rs, err := f.cases.OpenReceiptSession(context.Background(), f.spn.ID, code)
	if err != nil {
		t.Fatal(err)
	}
	v, err := f.cases.ByReceipt(context.Background(), f.spn.ID, rs.Token)
	if err != nil {
		t.Fatal(err)
	}
	c := f.caseByRef(t, v.Reference)
	if c.SafetyMode != "anonymous" || !c.NeedsTranscription || c.Description != "" || c.IntakeChannel != "whatsapp" {
		t.Fatalf("case %+v", c)
	}
	if kinds := f.waitEvidence(t, c.ID, 1); len(kinds) != 1 || kinds[0] != "audio" {
		t.Fatalf("evidence %v", kinds)
	}
	// Wait for every job to finish (the receipt reply is delivered and
	// wiped, classification done), then look everywhere for the number.
	deadline := time.Now().Add(60 * time.Second)
	for {
		var pending int
		var what string
		_ = f.db.Super.QueryRowContext(context.Background(), `SELECT count(*), coalesce(string_agg(kind || ':' || state::text || ':' || attempt || ':' || coalesce(errors::text, ''), ' | '), '')
			FROM river_job WHERE state NOT IN ('completed', 'discarded', 'cancelled') AND kind <> 'chat_quiet'`).Scan(&pending, &what)
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d jobs still pending: %s", pending, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
	assertNoTrace(t, f, []string{from, "81299887766", "wamid.HBgN" + from})
	if n, _ := f.chat.Sessions(context.Background(), f.spn.ID); n != 0 {
		t.Fatalf("%d chat sessions left", n)
	}

	// Acceptance 4: the voice-only case shows in the queue as needing a
	// transcript; staff add one, and classification runs again on it.
	ctx := context.Background()
	f.waitSuggestion(t, c.ID)
	u, _, err := f.accounts.CreateAccount(ctx, f.spn, auth.NewAccount{Name: "Admin", Email: "admin@spn.test", Password: "x-very-long-passphrase-42", Role: "federation_admin"})
	if err != nil {
		t.Fatal(err)
	}
	staff := &auth.Principal{UserID: u.ID, TenantID: f.spn.ID, Kind: "staff", Name: u.Name}
	items, _, err := f.cases.Queue(ctx, f.spn.ID, staff, cases.QueueFilter{NeedsTranscription: true})
	if err != nil || len(items) != 1 || items[0].ID != c.ID || !items[0].NeedsTranscription {
		t.Fatalf("queue filtered on needs_transcription: %v %+v", err, items)
	}
	const transcript = "Upah saya dipotong dan mandor mengancam memecat kalau saya protes."
	if err := f.cases.AddTranscript(ctx, f.spn.ID, staff, c.ID, transcript); err != nil {
		t.Fatal(err)
	}
	in, err := f.cases.ClassificationInput(ctx, f.spn.ID, c.ID)
	if err != nil || !strings.Contains(in.Text, transcript) {
		t.Fatalf("classification input lacks the transcript: %v %q", err, in.Text)
	}
	deadline = time.Now().Add(20 * time.Second)
	for {
		var n int
		_ = f.db.Super.QueryRowContext(ctx, "SELECT count(*) FROM case_suggestions WHERE case_id = ?", c.ID).Scan(&n)
		if n >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not classified again after the transcript (%d suggestions)", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if items, _, _ := f.cases.Queue(ctx, f.spn.ID, staff, cases.QueueFilter{NeedsTranscription: true}); len(items) != 0 {
		t.Fatalf("still needs transcription: %+v", items)
	}
}

// assertNoTrace scans every text, json, jsonb and bytea column of every
// table of the test database (as the superuser: RLS hides nothing), and
// the captured log lines, for each needle.
func assertNoTrace(t *testing.T, f *fixture, needles []string) {
	t.Helper()
	ctx := context.Background()
	rows, err := f.db.Super.QueryContext(ctx, `SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns
		WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
		  AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'bytea', 'ARRAY')`)
	if err != nil {
		t.Fatal(err)
	}
	type col struct{ schema, table, name, typ string }
	var cols []col
	for rows.Next() {
		var c col
		if err := rows.Scan(&c.schema, &c.table, &c.name, &c.typ); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	rows.Close()
	if len(cols) < 50 {
		t.Fatalf("only %d columns found: the scan is not looking", len(cols))
	}
	scanned := 0
	for _, c := range cols {
		expr := fmt.Sprintf("%q::text", c.name)
		if c.typ == "bytea" {
			expr = fmt.Sprintf("encode(%q, 'escape')", c.name)
		}
		for _, n := range needles {
			var hits int
			q := fmt.Sprintf("SELECT count(*) FROM %q.%q WHERE %s LIKE '%%' || ? || '%%'", c.schema, c.table, expr)
			if err := f.db.Super.QueryRowContext(ctx, q, n).Scan(&hits); err != nil {
				t.Fatalf("scan %s.%s: %v", c.table, c.name, err)
			}
			if hits > 0 {
				t.Errorf("%s.%s holds %q in %d rows", c.table, c.name, n, hits)
			}
			scanned++
		}
	}
	logs := f.logs.String()
	if len(logs) == 0 {
		t.Fatal("no log lines captured")
	}
	for _, n := range needles {
		if strings.Contains(logs, n) {
			t.Errorf("a log line holds %q", n)
		}
	}
	t.Logf("scanned %d column×needle pairs over %d columns and %d bytes of logs", scanned, len(cols), len(logs))
}

// Forged, unsigned and stale requests are refused; a replayed request and
// a provider retry of a message create nothing twice.
func TestWhatsAppSignatureReplayAndRetry(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const from = "6281277776666"
	body := payload(from, f.msg(from, "text", text("halo")))
	if _, err := f.chat.HandleWhatsApp(ctx, f.spn, "", body); !errors.Is(err, chat.ErrBadSignature) {
		t.Fatalf("unsigned: %v", err)
	}
	if _, err := f.chat.HandleWhatsApp(ctx, f.spn, chat.Sign("wrong-secret", body), body); !errors.Is(err, chat.ErrBadSignature) {
		t.Fatalf("forged: %v", err)
	}
	tampered := []byte(strings.Replace(string(body), "halo", "hal0", 1))
	if _, err := f.chat.HandleWhatsApp(ctx, f.spn, chat.Sign(appSecret, body), tampered); !errors.Is(err, chat.ErrBadSignature) {
		t.Fatalf("tampered: %v", err)
	}
	old := f.msg(from, "text", text("halo"))
	old["timestamp"] = fmt.Sprint(time.Now().Add(-72 * time.Hour).Unix())
	stale := payload(from, old)
	if _, err := f.chat.HandleWhatsApp(ctx, f.spn, chat.Sign(appSecret, stale), stale); !errors.Is(err, chat.ErrStale) {
		t.Fatalf("stale: %v", err)
	}
	if n := f.post(t, body); n != 1 {
		t.Fatalf("first delivery handled %d", n)
	}
	f.waitReplies(t, from, 1)
	// the same signed request again (replay), and a provider retry of the
	// same message inside another request
	if n := f.post(t, body); n != 0 {
		t.Fatalf("replay handled %d messages", n)
	}
	var m map[string]any
	_ = jsonUnmarshal(body, &m)
	if n := f.post(t, payload(from, firstMessage(m), f.msg(from, "text", text("1")))); n != 1 {
		t.Fatalf("retry batch handled %d new messages, want 1", n)
	}
	f.waitReplies(t, from, 2)
	time.Sleep(300 * time.Millisecond)
	if got := f.graph.to(from); len(got) != 2 {
		t.Fatalf("replies after replay and retry: %d %q", len(got), got)
	}
}

// 1,000 inbound messages in a burst (16 concurrent requests) are all
// handled: every message id recorded once, every sender's conversation
// started, every greeting queued.
func TestWhatsAppBurstOfAThousand(t *testing.T) {
	f := newFixture(t)
	f.graph.down.Store(true) // replies wait in the outbox; the burst is about intake
	const n = 1000
	work := make(chan int)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	start := time.Now()
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				from := fmt.Sprintf("628130%07d", i)
				body := payload(from, f.msg(from, "text", text("halo")))
				if _, err := f.chat.HandleWhatsApp(context.Background(), f.spn, chat.Sign(appSecret, body), body); err != nil {
					errs <- err
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	took := time.Since(start)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var inbound, sessions, outbox int
	_ = f.db.Super.QueryRowContext(context.Background(), "SELECT count(*) FROM chat_inbound").Scan(&inbound)
	_ = f.db.Super.QueryRowContext(context.Background(), "SELECT count(*) FROM chat_sessions").Scan(&sessions)
	_ = f.db.Super.QueryRowContext(context.Background(), "SELECT count(*) FROM chat_outbox").Scan(&outbox)
	if inbound != n || sessions != n || outbox != n {
		t.Fatalf("inbound %d sessions %d outbox %d, want %d each", inbound, sessions, outbox, n)
	}
	t.Logf("burst: %d messages handled in %s (%.0f/s)", n, took.Round(time.Millisecond), float64(n)/took.Seconds())
}

// An abandoned conversation and a reply that never went out are erased by
// the purge once old enough; fresh ones are left alone.
func TestPurgeAbandonedSessions(t *testing.T) {
	f := newFixture(t)
	f.graph.down.Store(true)
	f.post(t, payload("6281255550001", f.msg("6281255550001", "text", text("halo"))))
	if rep, err := f.chat.Purge(context.Background()); err != nil || rep.Sessions != 0 || rep.Replies != 0 {
		t.Fatalf("fresh purge: %+v %v", rep, err)
	}
	f.chat.Now = func() time.Time { return time.Now().Add(8 * 24 * time.Hour) }
	rep, err := f.chat.Purge(context.Background())
	if err != nil || rep.Sessions != 1 || rep.Replies != 1 {
		t.Fatalf("purge: %+v %v", rep, err)
	}
	assertNoTrace(t, f, []string{"6281255550001", "81255550001"})
}

// statusPayload is Meta's webhook for a delivery status of a message the
// union sent (value.statuses[], no messages).
func statusPayload(to, id, status, ts string) []byte {
	b, _ := json.Marshal(map[string]any{
		"object": "whatsapp_business_account",
		"entry": []any{map[string]any{"id": "102290129340398", "changes": []any{map[string]any{
			"field": "messages",
			"value": map[string]any{
				"messaging_product": "whatsapp",
				"metadata":          map[string]any{"display_phone_number": "15550783881", "phone_number_id": pnid},
				"statuses": []any{map[string]any{"id": id, "status": status, "timestamp": ts, "recipient_id": to,
					"conversation": map[string]any{"id": "conv-1", "origin": map[string]any{"type": "service"}},
					"pricing":      map[string]any{"billable": true, "pricing_model": "CBP", "category": "service"}}},
			}}}}},
	})
	return b
}
