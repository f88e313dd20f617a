package bench

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ReplicasConfig is one `suara bench replicas` run (make test-replicas):
// two or more `suara serve` processes over one database.
type ReplicasConfig struct {
	// Targets are the replicas, e.g. http://127.0.0.1:18081 and :18082.
	Targets    []string
	BaseDomain string
	// Tenant is the union whose filings are counted and which is renamed.
	Tenant string
	// AdminEmail is that union's federation admin; Password theirs.
	AdminEmail, Password string
	// Limit is rate_limits.filing.per_ip as every replica has it, Window
	// rate_limits.window.
	Limit  int
	Window time.Duration
	// Attempts is how many filings the client tries (default 3×Limit).
	Attempts int
	// RenameWithin is the bound on the rename's propagation (default 1 s).
	RenameWithin time.Duration
	Log          *slog.Logger
}

// ReplicasReport is what the run measured.
type ReplicasReport struct {
	Limit, Attempts int
	// Allowed are filings answered 201 (PerReplica: by each replica);
	// Refused answered 429; Other anything else (each one a failure).
	Allowed, Refused, Other int
	PerReplica              []int
	FirstOther              string
	// RenameSeen is from sending the rename to replica 1 until replica 2
	// first served the new name: an upper bound on the propagation, since
	// the commit happens somewhere during the save. RenameSaved is the
	// save itself (until replica 1 answered), RenameAfterSave the rest.
	RenameSeen, RenameSaved, RenameAfterSave time.Duration
	OldName, NewName                         string
}

// Failed says why the run does not meet its bounds ("" when it does).
func (r *ReplicasReport) Failed(within time.Duration) string {
	var why []string
	if r.Allowed != r.Limit {
		why = append(why, fmt.Sprintf("%d filings allowed across the replicas, want the limit %d", r.Allowed, r.Limit))
	}
	if r.Other > 0 {
		why = append(why, fmt.Sprintf("%d filings answered neither 201 nor 429 (first: %s)", r.Other, r.FirstOther))
	}
	if r.RenameSeen > within {
		why = append(why, fmt.Sprintf("the rename took %d ms to reach the other replica, want at most %d", r.RenameSeen.Milliseconds(), within.Milliseconds()))
	}
	return strings.Join(why, "; ")
}

// Print writes the figures; the last line is the headline.
func (r *ReplicasReport) Print(w io.Writer) {
	for i, n := range r.PerReplica {
		fmt.Fprintf(w, "allowed_replica%d=%d\n", i+1, n)
	}
	fmt.Fprintf(w, "attempts=%d\nrefused_429=%d\nother=%d\nrename_saved_ms=%d\nrename_seen_after_save_ms=%d\n",
		r.Attempts, r.Refused, r.Other, r.RenameSaved.Milliseconds(), r.RenameAfterSave.Milliseconds())
	fmt.Fprintf(w, "limit=%d allowed=%d rename_seen_ms=%d\n", r.Limit, r.Allowed, r.RenameSeen.Milliseconds())
}

// replica is one target with its own connections.
type replica struct {
	base   *url.URL
	client *http.Client
}

func (rc ReplicasConfig) host(port string) string {
	return net.JoinHostPort(rc.Tenant+"."+rc.BaseDomain, port)
}

func (rp *replica) request(ctx context.Context, method, host, path string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, rp.base.String()+path, body)
	if err != nil {
		return nil, err
	}
	req.Host = host
	return req, nil
}

// Replicas proves the replicas share what must be shared: a per-address
// filing limit of N allows N filings in total however the client spreads
// them, and a union renamed through the first replica (by its admin, on the
// branding form) is served under the new name by the second within
// RenameWithin.
func Replicas(ctx context.Context, cfg ReplicasConfig) (*ReplicasReport, error) {
	if len(cfg.Targets) < 2 {
		return nil, errors.New("bench replicas: give at least two targets")
	}
	if cfg.Limit < 1 {
		return nil, errors.New("bench replicas: the filing limit must be at least 1")
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 3 * cfg.Limit
	}
	if cfg.RenameWithin <= 0 {
		cfg.RenameWithin = time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	var reps []*replica
	for _, t := range cfg.Targets {
		u, err := CheckTarget(t)
		if err != nil {
			return nil, err
		}
		reps = append(reps, &replica{base: u, client: newClient(8, nil)})
	}
	defer func() {
		for _, rp := range reps {
			rp.client.CloseIdleConnections()
		}
	}()
	rep := &ReplicasReport{Limit: cfg.Limit, Attempts: cfg.Attempts, PerReplica: make([]int, len(reps))}
	if err := fileAcross(ctx, cfg, reps, rep); err != nil {
		return rep, err
	}
	if err := renameAcross(ctx, cfg, reps[0], reps[1], rep); err != nil {
		return rep, err
	}
	return rep, nil
}

// fileAcross sends Attempts anonymous filings from one client address,
// alternating between the replicas, several at a time, and counts the
// answers. It starts clear of a window boundary, so every attempt counts
// in the same window.
func fileAcross(ctx context.Context, cfg ReplicasConfig, reps []*replica, rep *ReplicasReport) error {
	if cfg.Window > 0 {
		now := time.Now()
		if left := now.Truncate(cfg.Window).Add(cfg.Window).Sub(now); left < 30*time.Second {
			cfg.Log.Info("waiting for the next rate-limit window", "in", left)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(left + time.Second):
			}
		}
	}
	// One client address (not the kernel's 127.0.0.1, so a rerun against
	// the same database starts afresh), its own connections per replica.
	src := (&sources{}).next()
	src[len(src)-2] = byte(time.Now().UnixNano() % 250)
	clients := make([]*http.Client, len(reps))
	for i := range reps {
		clients[i] = newClient(8, src)
		defer clients[i].CloseIdleConnections()
	}
	var (
		next                    atomic.Int64
		mu                      sync.Mutex
		wg                      sync.WaitGroup
		allowed, refused, other int
	)
	perReplica := make([]int, len(reps))
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(cfg.Attempts) || ctx.Err() != nil {
					return
				}
				k := int(i) % len(reps)
				rp := reps[k]
				req, err := rp.request(ctx, http.MethodPost, cfg.host(rp.base.Port()), "/api/v1/cases", strings.NewReader(string(filing(i, "anonymous"))))
				if err != nil {
					return
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Accept", "application/json")
				resp, err := clients[k].Do(req)
				var status int
				var first string
				if err != nil {
					first = err.Error()
				} else {
					status = resp.StatusCode
					b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
					resp.Body.Close()
					if status == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
						status, first = 0, "429 without Retry-After"
					} else if status != http.StatusCreated && status != http.StatusTooManyRequests {
						first = fmt.Sprintf("replica %d: status %d: %s", k+1, status, b)
					}
				}
				mu.Lock()
				switch status {
				case http.StatusCreated:
					allowed++
					perReplica[k]++
				case http.StatusTooManyRequests:
					refused++
				default:
					other++
					if rep.FirstOther == "" {
						rep.FirstOther = first
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	rep.Allowed, rep.Refused, rep.Other, rep.PerReplica = allowed, refused, other, perReplica
	cfg.Log.Info("filings across replicas", "attempts", cfg.Attempts, "allowed", allowed, "per_replica", perReplica, "refused", refused, "other", other)
	return ctx.Err()
}

var (
	formInput    = regexp.MustCompile(`<input\b[^>]*\bname="([a-z_]+)"[^>]*\bvalue="([^"]*)"`)
	formTextarea = regexp.MustCompile(`(?s)<textarea\b[^>]*\bname="([a-z_]+)"[^>]*>(.*?)</textarea>`)
)

// renameAcross signs the union's federation admin in on first, opens the
// branding form there and saves it with a new app name, then asks second
// for the union's web manifest until it carries that name.
func renameAcross(ctx context.Context, cfg ReplicasConfig, first, second *replica, rep *ReplicasReport) error {
	var login struct {
		Token string `json:"token"`
	}
	body, _ := json.Marshal(map[string]string{"email": cfg.AdminEmail, "password": cfg.Password})
	req, err := first.request(ctx, http.MethodPost, cfg.host(first.base.Port()), "/api/v1/auth/login", strings.NewReader(string(body)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	status, b, err := send(first.client, req)
	if err != nil || status != http.StatusOK || json.Unmarshal(b, &login) != nil || login.Token == "" {
		return fmt.Errorf("bench replicas: admin login as %s: status %d: %v", cfg.AdminEmail, status, err)
	}
	// The session cookie, and a double-submit CSRF token of our own.
	rb := make([]byte, 32)
	_, _ = rand.Read(rb)
	csrf := base64.RawURLEncoding.EncodeToString(rb)
	cookie := "suara_session=" + login.Token + "; suara_csrf=" + csrf

	req, err = first.request(ctx, http.MethodGet, cfg.host(first.base.Port()), "/admin/branding", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Cookie", cookie)
	status, b, err = send(first.client, req)
	if err != nil || status != http.StatusOK {
		return fmt.Errorf("bench replicas: branding form: status %d: %v", status, err)
	}
	form := url.Values{}
	for _, m := range formInput.FindAllStringSubmatch(string(b), -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	for _, m := range formTextarea.FindAllStringSubmatch(string(b), -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	rep.OldName = form.Get("app_name")
	if rep.OldName == "" {
		return errors.New("bench replicas: no app_name on the branding form")
	}
	if got, err := manifestName(ctx, cfg, second); err != nil || got != rep.OldName {
		return fmt.Errorf("bench replicas: replica 2 serves %q before the rename, want %q: %v", got, rep.OldName, err)
	}
	rep.NewName = fmt.Sprintf("Replika %d", time.Now().UnixNano()%1_000_000)
	form.Set("app_name", rep.NewName)
	form.Set("_csrf", csrf)
	form.Del("draft_logo")
	req, err = first.request(ctx, http.MethodPost, cfg.host(first.base.Port()), "/admin/branding", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Cookie", cookie)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	start := time.Now()
	status, b, err = send(first.client, req)
	rep.RenameSaved = time.Since(start)
	if err != nil || status != http.StatusSeeOther {
		return fmt.Errorf("bench replicas: saving the branding form: status %d: %v: %.300s", status, err, b)
	}
	saved := time.Now()
	deadline := saved.Add(5 * cfg.RenameWithin)
	for {
		got, err := manifestName(ctx, cfg, second)
		if err != nil {
			return err
		}
		if got == rep.NewName {
			rep.RenameSeen, rep.RenameAfterSave = time.Since(start), time.Since(saved)
			break
		}
		if time.Now().After(deadline) {
			rep.RenameSeen, rep.RenameAfterSave = time.Since(start), time.Since(saved)
			cfg.Log.Warn("replica 2 never served the new name", "still", got, "after", rep.RenameSeen)
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	cfg.Log.Info("rename across replicas", "from", rep.OldName, "to", rep.NewName,
		"saved_ms", rep.RenameSaved.Milliseconds(), "seen_ms", rep.RenameSeen.Milliseconds(), "after_save_ms", rep.RenameAfterSave.Milliseconds())
	return nil
}

// manifestName is the app name rp serves for the union (its web manifest).
func manifestName(ctx context.Context, cfg ReplicasConfig, rp *replica) (string, error) {
	req, err := rp.request(ctx, http.MethodGet, cfg.host(rp.base.Port()), "/manifest.webmanifest", nil)
	if err != nil {
		return "", err
	}
	status, b, err := send(rp.client, req)
	if err != nil || status != http.StatusOK {
		return "", fmt.Errorf("bench replicas: manifest: status %d: %v", status, err)
	}
	var m struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return "", fmt.Errorf("bench replicas: manifest: %w", err)
	}
	return m.Name, nil
}

// send does req and reads (a bounded part of) the answer.
func send(c *http.Client, req *http.Request) (int, []byte, error) {
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, b, err
}
