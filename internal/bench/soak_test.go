package bench

import (
	"bytes"
	"image/jpeg"
	"mime"
	"mime/multipart"
	"strings"
	"testing"
	"time"
)

func TestTrend(t *testing.T) {
	mb := int64(1 << 20)
	series := func(rss []int64, gor []int) []SoakInterval {
		out := make([]SoakInterval, len(rss))
		for i := range rss {
			out[i] = SoakInterval{N: i + 1, RSS: rss[i] * mb, GoroutinesMin: gor[i]}
		}
		return out
	}
	cases := []struct {
		name      string
		iv        []SoakInterval
		rss, gors bool
	}{
		{"flat", series([]int64{120, 121, 120, 122, 121}, []int{60, 61, 60, 60, 61}), false, false},
		{"one interval", series([]int64{100}, []int{60}), false, false},
		{"too short to judge", series([]int64{100, 120, 140, 160}, []int{50, 60, 70, 80}), false, false},
		{"rss climbs every minute", series([]int64{100, 103, 106, 109, 112}, []int{60, 60, 61, 60, 60}), true, false},
		{"rss climbs under 10%", series([]int64{100, 102, 104, 106, 108}, []int{60, 60, 60, 60, 60}), false, false},
		{"rss up 20% but fell once", series([]int64{100, 110, 105, 115, 120}, []int{60, 60, 60, 60, 60}), false, false},
		{"goroutines leak", series([]int64{100, 100, 100, 100, 100}, []int{60, 64, 68, 70, 75}), false, true},
		// Only the last five count: an early climb (warm-up) does not.
		{"warm-up climb then flat", series([]int64{50, 80, 100, 100, 99, 100, 101, 100}, []int{20, 40, 60, 60, 60, 60, 60, 60}), false, false},
		{"late climb after a flat start", series([]int64{100, 100, 100, 100, 104, 108, 112}, []int{60, 60, 60, 60, 60, 60, 60}), true, false},
	}
	for _, c := range cases {
		got := Trend(c.iv)
		if strings.Contains(got, "RSS") != c.rss || strings.Contains(got, "goroutines") != c.gors {
			t.Errorf("%s: Trend = %q, want rss %v goroutines %v", c.name, got, c.rss, c.gors)
		}
	}
}

func TestSoakFailed(t *testing.T) {
	ok := &SoakReport{Intervals: []SoakInterval{{N: 1}}}
	if why := ok.Failed(); why != "" {
		t.Errorf("clean run failed: %s", why)
	}
	for name, r := range map[string]*SoakReport{
		"5xx":          {Intervals: ok.Intervals, Errors5xx: 1, FirstError: "file: status 500"},
		"no answer":    {Intervals: ok.Intervals, NoAnswer: 1, FirstError: "receipt: timeout"},
		"lost":         {Intervals: ok.Intervals, LostRows: 2},
		"trend":        {Intervals: ok.Intervals, Trend: "RSS rose"},
		"no intervals": {},
	} {
		if r.Failed() == "" {
			t.Errorf("%s: passed", name)
		}
	}
	var b bytes.Buffer
	(&SoakReport{Intervals: []SoakInterval{{RSS: 100 << 20, GoroutinesMin: 50}, {RSS: 101 << 20, GoroutinesMin: 52}}}).Print(&b)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if want := "errors_5xx=0 rss_first_mb=100.0 rss_last_mb=101.0 goroutines_first=50 goroutines_last=52 lost_rows=0"; lines[len(lines)-1] != want {
		t.Errorf("last line %q, want %q", lines[len(lines)-1], want)
	}
}

func TestReplicasFailed(t *testing.T) {
	r := &ReplicasReport{Limit: 5, Allowed: 5, RenameSeen: 40 * time.Millisecond}
	if why := r.Failed(time.Second); why != "" {
		t.Errorf("clean run failed: %s", why)
	}
	for name, r := range map[string]*ReplicasReport{
		"limit per replica": {Limit: 5, Allowed: 10},
		"fewer than limit":  {Limit: 5, Allowed: 4},
		"other answers":     {Limit: 5, Allowed: 5, Other: 1, FirstOther: "status 500"},
		"slow rename":       {Limit: 5, Allowed: 5, RenameSeen: 1001 * time.Millisecond},
	} {
		if r.Failed(time.Second) == "" {
			t.Errorf("%s: passed", name)
		}
	}
	var b bytes.Buffer
	(&ReplicasReport{Limit: 5, Allowed: 5, PerReplica: []int{3, 2}, RenameSeen: 74 * time.Millisecond}).Print(&b)
	if !strings.HasSuffix(b.String(), "\nlimit=5 allowed=5 rename_seen_ms=74\n") {
		t.Errorf("output ends %q", b.String())
	}
}

func TestParseGoroutines(t *testing.T) {
	in := "# HELP go_goroutines Number of goroutines that currently exist.\n# TYPE go_goroutines gauge\ngo_goroutines 67\ngo_threads 9\n"
	if n, err := parseGoroutines(strings.NewReader(in)); err != nil || n != 67 {
		t.Errorf("parseGoroutines = %d, %v", n, err)
	}
	if _, err := parseGoroutines(strings.NewReader("go_threads 9\n")); err == nil {
		t.Error("no go_goroutines: no error")
	}
}

func TestWeightedMix(t *testing.T) {
	ops := []soakOp{{name: "a", weight: 3}, {name: "b", weight: 1}, {name: "c", weight: 2}}
	var names []string
	for _, o := range weighted(ops) {
		names = append(names, o.name)
	}
	if got := strings.Join(names, ""); got != "abcaca" {
		t.Errorf("cycle %q, want abcaca", got)
	}
}

// The soak's photo is a real JPEG in a multipart "file" part, a different
// file each time.
func TestPhotoUpload(t *testing.T) {
	read := func(i int64) []byte {
		ct, body := photoUpload(i)
		_, params, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatal(err)
		}
		part, err := multipart.NewReader(bytes.NewReader(body), params["boundary"]).NextPart()
		if err != nil || part.FormName() != "file" || part.Header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("part %v: %v", part, err)
		}
		var b bytes.Buffer
		_, _ = b.ReadFrom(part)
		if _, err := jpeg.Decode(bytes.NewReader(b.Bytes())); err != nil {
			t.Fatalf("not a JPEG: %v", err)
		}
		return b.Bytes()
	}
	if bytes.Equal(read(1), read(2)) {
		t.Error("two uploads carry the same photo")
	}
}
