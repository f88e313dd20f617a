package tenant

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// ChangeChannel is the PostgreSQL channel a trigger on tenants notifies on
// every change (migration 2026120704002).
const ChangeChannel = "suara_tenants"

// Listen keeps a session connection to url LISTENing on ChangeChannel and
// reloads the tenants whenever a change is announced, so that a union
// renamed or added through one replica is served by every replica within
// moments, not at the next Run tick. It reconnects after a lost
// connection (reloading then, since announcements made meanwhile are
// lost) until ctx ends. Run's periodic refresh stays as the safety net.
// url must reach PostgreSQL directly or through a session-mode pool:
// LISTEN does not work through a transaction-mode pool.
func (r *Resolver) Listen(ctx context.Context, url string, log *slog.Logger) {
	backoff := time.Second
	for ctx.Err() == nil {
		err := r.listenOnce(ctx, url, func() { backoff = time.Second })
		if ctx.Err() != nil {
			return
		}
		log.Warn("tenant change listener: reconnecting", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

func (r *Resolver) listenOnce(ctx context.Context, url string, connected func()) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+ChangeChannel); err != nil {
		return err
	}
	connected()
	// Whatever changed while no one listened.
	if err := r.Refresh(ctx); err != nil {
		return err
	}
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		if err := r.Refresh(ctx); err != nil {
			return err
		}
	}
}
