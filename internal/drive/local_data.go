package drive

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/hoardstore/hoard/internal/meta"
)

func (l *Local) dataDirPath(d meta.DataDir) string {
	h := hex.EncodeToString(d[:])
	return filepath.Join(l.sys, dataDir, h[:2], h)
}

func (l *Local) stagePath(stage string) string { return filepath.Join(l.sys, tmpDir, stage) }

// validStage accepts the identifiers the engine uses for stages: 1 to 64
// hex digits and dashes, so a stage name can never leave tmp/.
func validStage(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c == '-') {
			return false
		}
	}
	return true
}

// validShardName accepts 1 to 96 characters of [A-Za-z0-9._-] not starting
// with a dot.
func validShardName(s string) bool {
	if len(s) == 0 || len(s) > 96 || s[0] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// CreateShard starts a staged shard file after checking that size bytes
// fit above the reserve.
func (l *Local) CreateShard(ctx context.Context, stage, name string, size int64) (ShardWriter, error) {
	if err := l.usable(); err != nil {
		return nil, err
	}
	if !validStage(stage) || !validShardName(name) {
		return nil, fmt.Errorf("%w: stage %q shard %q", ErrInvalidArgument, stage, name)
	}
	if err := l.checkSpace(uint64(max(size, 0))+4096, size < 0); err != nil {
		return nil, err
	}
	dir := l.stagePath(stage)
	if err := os.MkdirAll(dir, DirMode); err != nil {
		return nil, fmt.Errorf("drive: create stage: %w", mapErr(err))
	}
	return l.createShardFile(filepath.Join(dir, name), size)
}

// RemoveStage discards a stage and everything in it.
func (l *Local) RemoveStage(ctx context.Context, stage string) error {
	if err := l.usable(); err != nil {
		return err
	}
	if !validStage(stage) {
		return fmt.Errorf("%w: stage %q", ErrInvalidArgument, stage)
	}
	if err := os.RemoveAll(l.stagePath(stage)); err != nil {
		return fmt.Errorf("drive: remove stage: %w", err)
	}
	return nil
}

type sectionReadCloser struct {
	*io.SectionReader
	f *os.File
}

func (s sectionReadCloser) Close() error { return s.f.Close() }

// ReadShard reads length bytes at offset of a committed shard file.
func (l *Local) ReadShard(ctx context.Context, dir meta.DataDir, name string, offset, length int64) (io.ReadCloser, error) {
	if err := l.usable(); err != nil {
		return nil, err
	}
	if !validShardName(name) || offset < 0 || length < 0 {
		return nil, fmt.Errorf("%w: shard %q range %d+%d", ErrInvalidArgument, name, offset, length)
	}
	f, err := os.Open(filepath.Join(l.dataDirPath(dir), name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: shard %x/%s", ErrNotFound, dir[:], name)
	}
	if err != nil {
		return nil, fmt.Errorf("drive: open shard: %w", err)
	}
	return sectionReadCloser{io.NewSectionReader(f, offset, length), f}, nil
}

// ListShards names the shard files of a data directory.
func (l *Local) ListShards(ctx context.Context, dir meta.DataDir) ([]string, error) {
	if err := l.usable(); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(l.dataDirPath(dir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("drive: list shards: %w", err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names, nil
}

// RemoveShards deletes shard files of a data directory.
func (l *Local) RemoveShards(ctx context.Context, dir meta.DataDir, names []string) error {
	if err := l.usable(); err != nil {
		return err
	}
	base := l.dataDirPath(dir)
	for _, n := range names {
		if !validShardName(n) {
			return fmt.Errorf("%w: shard %q", ErrInvalidArgument, n)
		}
		if err := os.Remove(filepath.Join(base, n)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("drive: remove shard: %w", err)
		}
	}
	return nil
}

// RemoveDataDir deletes a data directory and its files.
func (l *Local) RemoveDataDir(ctx context.Context, dir meta.DataDir) error {
	if err := l.usable(); err != nil {
		return err
	}
	if err := os.RemoveAll(l.dataDirPath(dir)); err != nil {
		return fmt.Errorf("drive: remove data dir: %w", err)
	}
	return nil
}

// Apply commits a batch: staged files are moved into the data directory
// and made durable first, then the metadata is written in one synced batch.
func (l *Local) Apply(ctx context.Context, b Batch) error {
	if err := l.usable(); err != nil {
		return err
	}
	if b.Stage != "" {
		if !validStage(b.Stage) {
			return fmt.Errorf("%w: stage %q", ErrInvalidArgument, b.Stage)
		}
		if err := l.step(FaultBeforeRename); err != nil {
			return mapErr(err)
		}
		if err := l.installStage(b.Stage, b.DataDir); err != nil {
			return err
		}
		if err := l.step(FaultBeforeCommit); err != nil {
			return mapErr(err)
		}
	}
	if err := l.commitMeta(&b); err != nil {
		return err
	}
	return l.step(FaultAfterCommit)
}

// installStage renames the stage directory to the data directory, or moves
// its files into the data directory if that exists already (parts of a
// multipart upload), and fsyncs the directories involved.
//
// The shard files were fdatasynced when they were closed. What is left to
// make durable are directory entries: the files' names in the stage
// directory and the stage directory's new name. The fsync of the data
// directory's parent after the rename covers both on ext4 and xfs, whose
// journal commits metadata in order (see journalOrdered), so the stage
// directory is synced first only on other filesystems. The parent of the
// parent (data/xx) was synced when the drive was prepared.
func (l *Local) installStage(stage string, d meta.DataDir) error {
	src := l.stagePath(stage)
	dst := l.dataDirPath(d)
	l.markFresh(d)
	if _, err := os.Lstat(dst); errors.Is(err, fs.ErrNotExist) {
		if !journalOrdered(src) {
			if err := syncDir(src); err != nil {
				return err
			}
		}
		if err := os.Rename(src, dst); err != nil {
			return fmt.Errorf("drive: install stage: %w", mapErr(err))
		}
		return syncDir(filepath.Dir(dst))
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return fmt.Errorf("drive: read stage: %w", err)
	}
	for _, e := range entries {
		if err := os.Rename(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())); err != nil {
			return fmt.Errorf("drive: install shard: %w", mapErr(err))
		}
	}
	if err := syncDir(dst); err != nil {
		return err
	}
	os.Remove(src)
	return nil
}
