package doctor

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/suara-id/suara/internal/config"
)

// ollamaProbeTimeout bounds the probe: /api/tags answers from memory, so a
// slow answer is itself a finding.
const ollamaProbeTimeout = 5 * time.Second

// checkOllama asks Ollama which models it has. A missing or unreachable
// Ollama is a warning, not a failure: classification falls back to the
// built-in classifier, so cases are still classified, only less well.
func checkOllama(ctx context.Context, o config.Ollama) Result {
	r := Result{Check: CheckOllama}
	if !o.Enabled {
		r.Status, r.Detail = Skip, "disabled (classify.ollama.enabled is false): the built-in classifier answers"
		return r
	}
	host := strings.TrimRight(o.Host, "/")
	disableFix := " — or set classify.ollama.enabled: false to use the built-in classifier on purpose"
	names, err := ollamaModels(ctx, host)
	if err != nil {
		r.Status, r.Detail = Warn, fmt.Sprintf("unreachable at %s: %v; the built-in classifier answers instead", host, err)
		r.Fix = "start Ollama (`ollama serve`) and check classify.ollama.host (" + envName("classify.ollama.host") + ")" + disableFix
		return r
	}
	if !hasModel(names, o.Model) {
		have := "none"
		if len(names) > 0 {
			have = strings.Join(names, ", ")
		}
		r.Status, r.Detail = Warn, fmt.Sprintf("reachable at %s but model %s is not pulled (has: %s); the built-in classifier answers instead", host, o.Model, have)
		r.Fix = "run `ollama pull " + o.Model + "` on the Ollama host, or set classify.ollama.model to one it has" + disableFix
		return r
	}
	r.Status, r.Detail = OK, fmt.Sprintf("reachable at %s, model %s present", host, o.Model)
	return r
}

// ollamaModels lists the models of the Ollama at host (GET /api/tags).
func ollamaModels(ctx context.Context, host string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, ollamaProbeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, host+"/api/tags", nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /api/tags answered HTTP %d", resp.StatusCode)
	}
	var tags struct {
		Models []struct {
			Name  string `json:"name"`
			Model string `json:"model"`
		} `json:"models"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4<<20)).Decode(&tags); err != nil {
		return nil, fmt.Errorf("GET /api/tags: not Ollama's JSON: %w", err)
	}
	var names []string
	for _, m := range tags.Models {
		n := m.Name
		if n == "" {
			n = m.Model
		}
		names = append(names, n)
	}
	return names, nil
}

// hasModel matches Ollama's naming: "qwen2.5" means "qwen2.5:latest".
func hasModel(names []string, want string) bool {
	norm := func(s string) string {
		if !strings.Contains(s, ":") {
			return s + ":latest"
		}
		return s
	}
	for _, n := range names {
		if norm(n) == norm(want) {
			return true
		}
	}
	return false
}
