package cases_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	suara "github.com/suara-id/suara"
	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/tenant"
	"github.com/suara-id/suara/internal/workday"
)

func calendar(t testing.TB) *workday.Calendar {
	t.Helper()
	cal, err := workday.LoadFS(suara.ConfigFS, "config/holidays")
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

// staffAt creates a staff account holding role at branchPath.
func staffAt(t *testing.T, f *fixture, email, role, branchPath string) *auth.Principal {
	t.Helper()
	accounts := auth.NewService(f.db.App, f.authz, slog.New(slog.DiscardHandler), 3600e9, 3600e9)
	u, _, err := accounts.CreateAccount(context.Background(), f.t, auth.NewAccount{Name: email, Email: email, Role: role,
		BranchPath: branchPath, Password: "suara-demo", SkipStrengthCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	return &auth.Principal{UserID: u.ID, TenantID: f.t.ID, Kind: u.Kind, Name: u.Name}
}

// workplaceID returns the id of the tenant's workplace with slug.
func workplaceID(t *testing.T, f *fixture, slug string) string {
	t.Helper()
	wps, err := tenant.ListWorkplaces(context.Background(), f.db.App, f.t.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range wps {
		if w.Slug == slug {
			return w.ID.String()
		}
	}
	t.Fatalf("no workplace %s", slug)
	return ""
}

func fileCase(t *testing.T, svc *cases.Service, f *fixture, p *auth.Principal, fl cases.Filing) *cases.Filed {
	t.Helper()
	if fl.Type == "" {
		fl.Type = "complaint"
	}
	out, err := svc.File(context.Background(), f.t, p, fl)
	if err != nil {
		t.Fatalf("file %q: %v", fl.Title, err)
	}
	return out
}

func queueIDs(items []cases.QueueItem) []uuid.UUID {
	out := make([]uuid.UUID, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

func mustQueue(t *testing.T, svc *cases.Service, f *fixture, p *auth.Principal, qp cases.QueueParams) []cases.QueueItem {
	t.Helper()
	filter, err := qp.Filter()
	if err != nil {
		t.Fatalf("filter %+v: %v", qp, err)
	}
	items, _, err := svc.Queue(context.Background(), f.t.ID, p, filter)
	if err != nil {
		t.Fatalf("queue %+v: %v", qp, err)
	}
	return items
}

// TestQueueScopeFiltersAndSearch: each staff member sees exactly the cases
// of the sub-trees where they may read cases (plus those assigned to them),
// every filter narrows as documented, and no item names a reporter.
func TestQueueScopeFiltersAndSearch(t *testing.T) {
	f := setup(t)
	svc := f.service(t, keyA)
	// Filings a second apart in the middle of an hour that has passed: an
	// anonymous filing keeps only its hour (AnonymousFiledAt), so it sorts
	// before the others filed in that hour.
	base := time.Now().Add(-time.Hour).Truncate(time.Hour).Add(30 * time.Minute)
	var tick atomic.Int64
	svc.Now = func() time.Time { return base.Add(time.Duration(tick.Add(1)) * time.Second) }
	fed := staffAt(t, f, "fed@spn.example", "federation_admin", "spn")
	jabar := staffAt(t, f, "jabar@spn.example", "branch_admin", "spn/jabar")
	banten := staffAt(t, f, "banten@spn.example", "case_officer", "spn/banten")
	maju := workplaceID(t, f, "pt-maju-jaya-garmen")              // spn/jabar/bekasi/puk-maju-jaya
	kharisma := workplaceID(t, f, "pt-kharisma-sepatu-nusantara") // spn/banten/serang/puk-kharisma-sepatu

	overtime := fileCase(t, svc, f, f.workers[0], cases.Filing{Title: "Lembur tidak dibayar",
		Description: "Kami dipaksa lembur setiap hari tanpa upah lembur yang sesuai aturan.", WorkplaceID: maju})
	contract := fileCase(t, svc, f, f.workers[1], cases.Filing{Title: "Kontrak diperpanjang terus",
		Description: "Kontrak kerja saya diperpanjang berkali-kali tanpa diangkat menjadi pekerja tetap.", WorkplaceID: maju,
		SafetyMode: "confidential"})
	door := fileCase(t, svc, f, nil, cases.Filing{Title: "Pintu darurat dikunci",
		Description: "Pintu darurat di gedung produksi selalu dikunci dari luar saat jam kerja.", WorkplaceID: kharisma})
	root := fileCase(t, svc, f, f.workers[0], cases.Filing{Title: "Pertanyaan iuran",
		Description: "Berapa besar iuran anggota serikat untuk pekerja kontrak di federasi ini?", Type: "information"})

	svc.Now = time.Now
	// The default order: the critical locked door first, then newest first
	// (door is anonymous and keeps only its hour, so it is the oldest).
	all := []uuid.UUID{door.ID, root.ID, contract.ID, overtime.ID}
	if got := queueIDs(mustQueue(t, svc, f, fed, cases.QueueParams{})); !slices.Equal(got, all) {
		t.Fatalf("federation admin sees %v, want %v", got, all)
	}
	if got := queueIDs(mustQueue(t, svc, f, jabar, cases.QueueParams{})); !slices.Equal(got, []uuid.UUID{contract.ID, overtime.ID}) {
		t.Errorf("jabar branch admin sees %v, want only the two jabar cases", got)
	}
	if got := queueIDs(mustQueue(t, svc, f, banten, cases.QueueParams{})); !slices.Equal(got, []uuid.UUID{door.ID}) {
		t.Errorf("banten officer sees %v, want only the banten case", got)
	}
	// An officer also sees what is assigned to them, wherever it sits.
	setAssigned(t, f, root.ID, banten.UserID)
	items := mustQueue(t, svc, f, banten, cases.QueueParams{})
	if got := queueIDs(items); !slices.Equal(got, []uuid.UUID{door.ID, root.ID}) {
		t.Errorf("banten officer with an assignment sees %v", got)
	}
	if items[0].AssignedToMe || !items[1].AssignedToMe {
		t.Errorf("assigned_to_me flags wrong: %+v", items)
	}
	if got := queueIDs(mustQueue(t, svc, f, banten, cases.QueueParams{Assigned: "me"})); !slices.Equal(got, []uuid.UUID{root.ID}) {
		t.Errorf("assigned=me gives %v", got)
	}
	// A worker has no queue.
	if _, _, err := svc.Queue(context.Background(), f.t.ID, f.workers[0], cases.QueueFilter{}); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("worker queue: %v, want forbidden", err)
	}

	for _, tc := range []struct {
		name string
		qp   cases.QueueParams
		want []uuid.UUID
	}{
		{"unassigned", cases.QueueParams{Unassigned: "1"}, []uuid.UUID{door.ID, contract.ID, overtime.ID}},
		{"newest", cases.QueueParams{Sort: "newest"}, []uuid.UUID{root.ID, contract.ID, overtime.ID, door.ID}},
		{"safety mode", cases.QueueParams{SafetyMode: "confidential"}, []uuid.UUID{contract.ID}},
		{"anonymous", cases.QueueParams{SafetyMode: "anonymous"}, []uuid.UUID{door.ID}},
		{"status", cases.QueueParams{Status: "submitted,verified"}, all},
		{"status none", cases.QueueParams{Status: "resolved"}, nil},
		{"open", cases.QueueParams{Status: "open"}, all},
		{"workplace", cases.QueueParams{Workplace: kharisma}, []uuid.UUID{door.ID}},
		// The locked fire exit is critical from filing (life-and-limb rule).
		{"urgency", cases.QueueParams{Urgency: "normal"}, []uuid.UUID{root.ID, contract.ID, overtime.ID}},
		{"urgency critical", cases.QueueParams{Urgency: "critical"}, []uuid.UUID{door.ID}},
		{"urgency none", cases.QueueParams{Urgency: "high,low"}, nil},
		// Stemmed Indonesian full text: "dikunci" matches "kunci".
		{"full text stem", cases.QueueParams{Q: "kunci"}, []uuid.UUID{door.ID}},
		{"full text words", cases.QueueParams{Q: "lembur upah"}, []uuid.UUID{overtime.ID}},
		{"full text none", cases.QueueParams{Q: "sepeda"}, nil},
		{"reference", cases.QueueParams{Q: strings.ToLower(contract.Reference)}, []uuid.UUID{contract.ID}},
		{"from future", cases.QueueParams{From: time.Now().AddDate(0, 0, 2).Format(time.DateOnly)}, nil},
		{"to past", cases.QueueParams{To: "2020-01-01"}, nil},
		{"date range today", cases.QueueParams{From: time.Now().AddDate(0, 0, -1).Format(time.DateOnly),
			To: time.Now().AddDate(0, 0, 1).Format(time.DateOnly)}, all},
		{"oldest", cases.QueueParams{Sort: "oldest"}, []uuid.UUID{door.ID, overtime.ID, contract.ID, root.ID}},
	} {
		got := queueIDs(mustQueue(t, svc, f, fed, tc.qp))
		if !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}

	// The branch filter takes a sub-tree, inside the viewer's scope only.
	var bekasi, banteng uuid.UUID
	if err := dbTenant(f, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT id FROM branches WHERE path = 'spn/jabar/bekasi'").Scan(&bekasi); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, "SELECT id FROM branches WHERE path = 'spn/banten'").Scan(&banteng)
	}); err != nil {
		t.Fatal(err)
	}
	if got := queueIDs(mustQueue(t, svc, f, fed, cases.QueueParams{Branch: bekasi.String()})); !slices.Equal(got, []uuid.UUID{contract.ID, overtime.ID}) {
		t.Errorf("branch bekasi: %v", got)
	}
	if got := mustQueue(t, svc, f, jabar, cases.QueueParams{Branch: banteng.String()}); len(got) != 0 {
		t.Errorf("jabar admin filtering on banten sees %v", queueIDs(got))
	}

	// No reporter identity in any item, in any mode.
	body, _ := json.Marshal(mustQueue(t, svc, f, fed, cases.QueueParams{}))
	for _, w := range f.workers {
		for _, leak := range []string{w.UserID.String(), w.Name, "081200000001", "081200000002"} {
			if strings.Contains(string(body), leak) {
				t.Errorf("queue JSON contains reporter data %q", leak)
			}
		}
	}
}

// TestQueuePagination walks every sort page by page: no case is skipped or
// repeated, and the order is the sort's.
func TestQueuePagination(t *testing.T) {
	f := setup(t)
	svc := f.service(t, keyA)
	svc.Calendar = calendar(t)
	fed := staffAt(t, f, "fed@spn.example", "federation_admin", "spn")
	base := time.Date(2026, 2, 2, 9, 0, 0, 0, time.UTC)
	const n = 7
	var want []uuid.UUID
	var matching []int // the cases a search for "lembur upah" finds
	for i := range n {
		// Two cases share a filing time: the id must break the tie.
		at := base.Add(time.Duration(i/2) * time.Hour)
		svc.Now = func() time.Time { return at }
		desc := "Uraian kasus untuk menguji halaman antrean petugas."
		if i != 3 && i != 6 {
			desc = "Upah lembur tidak dibayar: uraian kasus untuk menguji halaman antrean."
			matching = append(matching, i)
		}
		c := fileCase(t, svc, f, f.workers[i%2], cases.Filing{Title: "Kasus nomor " + string(rune('A'+i)), Description: desc})
		want = append(want, c.ID)
	}
	// Vary urgency so the urgency sort has groups.
	if err := dbTenant(f, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE cases SET urgency = CASE WHEN id IN (?, ?) THEN 'critical' WHEN id = ? THEN 'low' ELSE 'high' END",
			want[1], want[4], want[2])
		return err
	}); err != nil {
		t.Fatal(err)
	}
	svc.Now = func() time.Time { return base.Add(24 * time.Hour) }
	// Every sort pages through all cases, and through a search's (driven by
	// one term's entries when sorted by filing time): each case once, in order.
	for _, search := range []struct {
		q string
		n int
	}{{"", n}, {"lembur upah", len(matching)}} {
		for _, sort := range cases.QueueSorts() {
			var got []cases.QueueItem
			cursor := ""
			for page := 0; ; page++ {
				if page > n {
					t.Fatalf("%s: pagination does not end", sort)
				}
				items, next, err := svc.Queue(context.Background(), f.t.ID, fed, cases.QueueFilter{Sort: sort, Limit: 2, Cursor: cursor, Query: search.q})
				if err != nil {
					t.Fatalf("%s page %d: %v", sort, page, err)
				}
				if len(items) > 2 {
					t.Fatalf("%s: page of %d", sort, len(items))
				}
				got = append(got, items...)
				if next == "" {
					break
				}
				cursor = next
			}
			ids := queueIDs(got)
			seen := map[uuid.UUID]bool{}
			for _, id := range ids {
				if seen[id] {
					t.Errorf("%s: %s twice", sort, id)
				}
				seen[id] = true
			}
			if len(ids) != search.n {
				t.Errorf("%s %q: %d cases over all pages, want %d", sort, search.q, len(ids), search.n)
			}
			for _, i := range matching {
				if search.q != "" && !seen[want[i]] {
					t.Errorf("%s %q: case %d not found", sort, search.q, i)
				}
			}
			ordered := slices.IsSortedFunc(got, func(a, b cases.QueueItem) int {
				key := func(it cases.QueueItem) (int64, int64) {
					switch sort {
					case cases.SortOldest:
						return it.CreatedAt.UnixMicro(), 0
					case cases.SortDue:
						return it.Due.UnixMicro(), 0
					case cases.SortUrgency:
						return int64(slices.Index(cases.Urgencies(), it.Urgency)), -it.CreatedAt.UnixMicro()
					}
					return -it.CreatedAt.UnixMicro(), 0
				}
				a1, a2 := key(a)
				b1, b2 := key(b)
				switch {
				case a1 != b1:
					return int(a1 - b1)
				case a2 != b2:
					return int(a2 - b2)
				}
				return 0
			})
			if !ordered {
				t.Errorf("%s: out of order: %+v", sort, got)
			}
		}
	}

	// A cursor of one sort is refused by another.
	_, next, err := svc.Queue(context.Background(), f.t.ID, fed, cases.QueueFilter{Sort: cases.SortNewest, Limit: 2})
	if err != nil || next == "" {
		t.Fatalf("first page: %v %q", err, next)
	}
	var v *apperr.Validation
	if _, _, err := svc.Queue(context.Background(), f.t.ID, fed, cases.QueueFilter{Sort: cases.SortDue, Cursor: next}); !errors.As(err, &v) {
		t.Errorf("cursor of another sort: %v, want a validation error", err)
	}
}

func TestQueueParamsValidation(t *testing.T) {
	for _, tc := range []struct {
		qp    cases.QueueParams
		field string
	}{
		{cases.QueueParams{Status: "open,nonsense"}, "status"},
		{cases.QueueParams{Branch: "not-a-uuid"}, "branch"},
		{cases.QueueParams{Workplace: "x"}, "workplace"},
		{cases.QueueParams{Urgency: "urgent"}, "urgency"},
		{cases.QueueParams{Overdue: "maybe"}, "overdue"},
		{cases.QueueParams{Assigned: "you"}, "assigned"},
		{cases.QueueParams{Assigned: "me", Unassigned: "1"}, "assigned"},
		{cases.QueueParams{SafetyMode: "secret"}, "safety_mode"},
		{cases.QueueParams{From: "2026-13-01"}, "from"},
		{cases.QueueParams{From: "2026-02-01", To: "2026-01-01"}, "to"},
		{cases.QueueParams{Sort: "random"}, "sort"},
		{cases.QueueParams{Limit: "0"}, "limit"},
		{cases.QueueParams{Limit: "ten"}, "limit"},
		{cases.QueueParams{Q: strings.Repeat("a", cases.MaxQueryRunes+1)}, "q"},
		{cases.QueueParams{Q: "bad\x00byte"}, "q"},
	} {
		_, err := tc.qp.Filter()
		var v *apperr.Validation
		if !errors.As(err, &v) {
			t.Errorf("%+v: %v, want a validation error", tc.qp, err)
			continue
		}
		if _, ok := v.Fields[tc.field]; !ok {
			t.Errorf("%+v: fields %v, want %s", tc.qp, v.Fields, tc.field)
		}
	}
	f, err := cases.QueueParams{Status: "open", Limit: "500", Assigned: "none", To: "2026-01-31"}.Filter()
	if err != nil {
		t.Fatal(err)
	}
	if f.Limit != cases.MaxPageSize || !f.Unassigned || len(f.Statuses) != 5 || f.Sort != cases.DefaultQueueSort {
		t.Errorf("parsed %+v", f)
	}
	if want := time.Date(2026, 2, 1, 0, 0, 0, 0, f.To.Location()); !f.To.Equal(want) {
		t.Errorf("to = %v, want the end of the day (%v)", f.To, want)
	}
}
