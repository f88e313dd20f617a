package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/config"
)

// AnalyticsCommand runs "suara analytics rebuild [SLUG]": it recomputes the
// cross-union cubes from the rollup's facts, for every tenant and then the
// platform cube, or for one tenant (moving the platform cube by that
// tenant's difference). The rollup keeps the cubes current on its own; this
// is for facts written by other means and for repairing a cube.
func AnalyticsCommand(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "rebuild" || len(args) > 2 {
		return errors.New("usage: suara analytics rebuild [SLUG]")
	}
	bdb, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer bdb.Close()
	s := newAnalytics(cfg, log, bdb)
	if len(args) == 1 {
		if err := s.RebuildCube(ctx); err != nil {
			return err
		}
		fmt.Fprintln(out, "rebuilt every tenant's cube and the platform cube")
		return nil
	}
	var id uuid.UUID
	// tenants has no row-level security: the slug is looked up directly.
	if err := bdb.NewSelect().Table("tenants").Column("id").Where("slug = ?", args[1]).Scan(ctx, &id); err != nil {
		return fmt.Errorf("tenant %q: %w", args[1], err)
	}
	if err := s.RebuildCells(ctx, id); err != nil {
		return err
	}
	fmt.Fprintf(out, "rebuilt the cube of %s and moved the platform cube by its difference\n", args[1])
	return nil
}
