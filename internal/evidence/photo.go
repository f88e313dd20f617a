package evidence

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image/jpeg"
	"image/png"
	"io"
	"os"

	"golang.org/x/image/webp"
)

// Photo dimension caps, checked from the header before any pixel memory is
// allocated. 40 megapixels is above any phone camera's default mode; a
// decoded image that size is already ~60 MB of YCbCr.
const (
	MaxImagePixels = 40_000_000
	MaxImageSide   = 12000
)

// jpegQuality is high enough that re-encoding a phone photo keeps its
// evidential detail (text on a payslip, a face at a distance).
const jpegQuality = 90

type sanitisedPhoto struct {
	path          string
	size          int64
	sha256        string
	width, height int
}

func checkDimensions(w, h int) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("image %dx%d: %w", w, h, ErrCorrupt)
	}
	if w > MaxImageSide || h > MaxImageSide || int64(w)*int64(h) > MaxImagePixels {
		return fmt.Errorf("image %dx%d: %w", w, h, ErrImageTooLarge)
	}
	return nil
}

// sanitisePhoto validates the photo at src and writes a metadata-free copy
// to a new temp file. JPEG and PNG are decoded and re-encoded by the
// standard library, which writes no EXIF, XMP, comments or text chunks;
// WebP (no pure-Go encoder exists) is validated by decoding and then
// rewritten chunk by chunk keeping only image data.
func sanitisePhoto(ctx context.Context, src string, t Type, tmpDir string) (_ sanitisedPhoto, err error) {
	in, err := os.Open(src)
	if err != nil {
		return sanitisedPhoto{}, fmt.Errorf("open photo: %w", err)
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return sanitisedPhoto{}, fmt.Errorf("stat photo: %w", err)
	}

	out, err := os.CreateTemp(tmpDir, "evidence-*.photo")
	if err != nil {
		return sanitisedPhoto{}, fmt.Errorf("create temp file: %w", err)
	}
	defer func() {
		if err != nil {
			_ = out.Close()
			_ = os.Remove(out.Name())
		}
	}()
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(out, h)}
	bw := bufio.NewWriterSize(cw, copyBufferSize)

	var w, ht int
	switch t.MIME {
	case "image/jpeg":
		w, ht, err = reencodeJPEG(ctx, in, bw)
	case "image/png":
		w, ht, err = reencodePNG(ctx, in, bw)
	case "image/webp":
		w, ht, err = rewriteWebP(ctx, in, info.Size(), bw)
	default:
		err = &ErrTypeNotAllowed{Detected: t.MIME}
	}
	if err != nil {
		return sanitisedPhoto{}, err
	}
	if err = bw.Flush(); err != nil {
		return sanitisedPhoto{}, fmt.Errorf("write photo: %w", err)
	}
	if err = out.Close(); err != nil {
		return sanitisedPhoto{}, fmt.Errorf("close photo: %w", err)
	}
	return sanitisedPhoto{
		path:   out.Name(),
		size:   cw.n,
		sha256: hex.EncodeToString(h.Sum(nil)),
		width:  w,
		height: ht,
	}, nil
}

func reencodeJPEG(ctx context.Context, in *os.File, w io.Writer) (int, int, error) {
	cfg, err := jpeg.DecodeConfig(bufio.NewReader(in))
	if err != nil {
		return 0, 0, fmt.Errorf("jpeg header: %v: %w", err, ErrCorrupt)
	}
	if err := checkDimensions(cfg.Width, cfg.Height); err != nil {
		return 0, 0, err
	}
	if _, err := in.Seek(0, io.SeekStart); err != nil {
		return 0, 0, fmt.Errorf("rewind photo: %w", err)
	}
	orientation := jpegOrientation(in)
	if _, err := in.Seek(0, io.SeekStart); err != nil {
		return 0, 0, fmt.Errorf("rewind photo: %w", err)
	}
	img, err := jpeg.Decode(bufio.NewReaderSize(in, copyBufferSize))
	if err != nil {
		return 0, 0, fmt.Errorf("decode jpeg: %v: %w", err, ErrCorrupt)
	}
	if err := ctx.Err(); err != nil {
		return 0, 0, err
	}
	// The orientation tag goes with the rest of the EXIF, so it is applied
	// to the pixels: otherwise portrait phone photos would turn sideways.
	img = orient(img, orientation)
	if err := jpeg.Encode(w, img, &jpeg.Options{Quality: jpegQuality}); err != nil {
		return 0, 0, fmt.Errorf("encode jpeg: %w", err)
	}
	b := img.Bounds()
	return b.Dx(), b.Dy(), nil
}

func reencodePNG(ctx context.Context, in *os.File, w io.Writer) (int, int, error) {
	cfg, err := png.DecodeConfig(bufio.NewReader(in))
	if err != nil {
		return 0, 0, fmt.Errorf("png header: %v: %w", err, ErrCorrupt)
	}
	if err := checkDimensions(cfg.Width, cfg.Height); err != nil {
		return 0, 0, err
	}
	if _, err := in.Seek(0, io.SeekStart); err != nil {
		return 0, 0, fmt.Errorf("rewind photo: %w", err)
	}
	img, err := png.Decode(bufio.NewReaderSize(in, copyBufferSize))
	if err != nil {
		return 0, 0, fmt.Errorf("decode png: %v: %w", err, ErrCorrupt)
	}
	if err := ctx.Err(); err != nil {
		return 0, 0, err
	}
	if err := png.Encode(w, img); err != nil {
		return 0, 0, fmt.Errorf("encode png: %w", err)
	}
	b := img.Bounds()
	return b.Dx(), b.Dy(), nil
}

func rewriteWebP(ctx context.Context, in *os.File, size int64, w io.Writer) (int, int, error) {
	// Our own chunk walk gives the dimensions of every frame header, not
	// just the VP8X canvas the library's DecodeConfig reports, so a small
	// canvas cannot hide a huge frame.
	info, err := scanWebP(io.NewSectionReader(in, 0, size), size)
	if err != nil {
		return 0, 0, err
	}
	if info.animated {
		return 0, 0, &ErrTypeNotAllowed{Detected: "image/webp; animated"}
	}
	if err := checkDimensions(info.width, info.height); err != nil {
		return 0, 0, err
	}
	img, err := webp.Decode(bufio.NewReaderSize(io.NewSectionReader(in, 0, size), copyBufferSize))
	if err != nil {
		return 0, 0, fmt.Errorf("decode webp: %v: %w", err, ErrCorrupt)
	}
	if err := ctx.Err(); err != nil {
		return 0, 0, err
	}
	if err := writeWebP(w, in, info); err != nil {
		return 0, 0, err
	}
	b := img.Bounds()
	return b.Dx(), b.Dy(), nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
