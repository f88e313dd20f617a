package notify_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/suara-id/suara/internal/notify"
)

// A gateway URL that reaches a private address at send time — stored
// before the checks existed, or a name rebound since it was saved — is
// refused when the message is sent; the row records only the kind of
// failure, never the address or the network's message.
func TestDeliveryRefusesPrivateGatewayAtSendTime(t *testing.T) {
	f := setup(t)
	var hits atomic.Int32
	private := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer private.Close()
	// Not on the operator's allow-list (only f.gw is).
	f.exec("UPDATE notify_settings SET gateway_url = ? WHERE tenant_id = ?", strings.Replace(private.URL, "http://", "https://", 1)+"/internal", f.tenantID)
	id := f.file("Upah lembur kami tidak dibayar sejak tiga bulan.")
	f.transition(f.officer, id, "verify", "")
	rows := f.pending()
	if len(rows) == 0 {
		t.Fatal("no outside-channel row")
	}
	var refused int
	for _, row := range rows {
		err := f.ns.Deliver(f.ctx, f.tenantID, row, true)
		if err == nil {
			continue
		}
		var lastErr string
		f.super("SELECT last_error FROM outbox WHERE id = '"+row.String()+"'", &lastErr)
		if strings.Contains(lastErr, "127.0.0.1") || strings.Contains(lastErr, "connect") {
			t.Fatalf("the row's error names the address: %q", lastErr)
		}
		if lastErr == "gateway: refused_address" {
			refused++
		}
	}
	if refused == 0 {
		t.Fatal("no gateway row was refused")
	}
	if hits.Load() != 0 {
		t.Fatalf("the private server was reached %d times", hits.Load())
	}
}

func TestSenderDomains(t *testing.T) {
	entries := []string{"spn=spn.or.id", "*={slug}.suara.id", "garteks=garteks.org", "broken", "x="}
	got := strings.Join(notify.SenderDomains(entries, "spn"), ",")
	if got != "spn.or.id,spn.suara.id" {
		t.Fatalf("spn: %s", got)
	}
	if got := strings.Join(notify.SenderDomains(entries, "fsptsk"), ","); got != "fsptsk.suara.id" {
		t.Fatalf("fsptsk: %s", got)
	}
}
