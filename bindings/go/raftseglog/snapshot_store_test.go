// snapshot_store_test.go: raft.SnapshotStore on seglog's snapshot (cases
// of raft's file_snapshot_test.go that apply to a one-snapshot store).

package raftseglog

import (
	"errors"
	"io"
	"reflect"
	"testing"

	"github.com/hashicorp/raft"
	"seglog/seglog"
)

var testConfiguration = raft.Configuration{Servers: []raft.Server{
	{Suffrage: raft.Voter, ID: "n1", Address: "127.0.0.1:1"},
	{Suffrage: raft.Nonvoter, ID: "n2", Address: "127.0.0.1:2"},
}}

func mustSnapshot(t testing.TB, s *Store, index, term uint64, data string) string {
	t.Helper()
	sink, err := s.Create(raft.SnapshotVersionMax, index, term, testConfiguration, 7, nil)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if _, err := sink.Write([]byte(data)); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if err := sink.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return sink.ID()
}

func expectSnapshot(t testing.TB, s *Store, index, term uint64, data string) {
	t.Helper()
	metas, err := s.List()
	if err != nil || len(metas) != 1 {
		t.Fatalf("List: %v, %v", metas, err)
	}
	m := metas[0]
	if m.Index != index || m.Term != term || m.Size != int64(len(data)) || m.ConfigurationIndex != 7 ||
		m.Version != raft.SnapshotVersionMax || !reflect.DeepEqual(m.Configuration, testConfiguration) {
		t.Fatalf("List: got %+v", *m)
	}
	om, r, err := s.Open(m.ID)
	if err != nil {
		t.Fatalf("Open(%s): %v", m.ID, err)
	}
	defer r.Close()
	got, err := io.ReadAll(r)
	if err != nil || string(got) != data || !reflect.DeepEqual(om, m) {
		t.Fatalf("Open: %q, %v, meta %+v", got, err, *om)
	}
}

func TestSnapshotStore_ListIsEmptyOnANewStore(t *testing.T) {
	s, _ := newStore(t)
	if metas, err := s.List(); err != nil || len(metas) != 0 {
		t.Fatalf("List: %v, %v", metas, err)
	}
}

func TestSnapshotStore_CreateWriteCloseListsAndOpensTheSnapshot(t *testing.T) {
	s, _ := newStore(t)
	id := mustSnapshot(t, s, 10, 3, "first state")
	expectSnapshot(t, s, 10, 3, "first state")
	if metas, _ := s.List(); metas[0].ID != id {
		t.Fatalf("ID: %s, sink said %s", metas[0].ID, id)
	}
}

func TestSnapshotStore_ANewerSnapshotReplacesTheOlderOne(t *testing.T) {
	s, _ := newStore(t)
	old := mustSnapshot(t, s, 10, 3, "first")
	mustSnapshot(t, s, 20, 4, "second")
	expectSnapshot(t, s, 20, 4, "second")
	if _, _, err := s.Open(old); !errors.Is(err, seglog.ErrNotFound) {
		t.Fatalf("Open(old): %v", err)
	}
}

func TestSnapshotStore_AReaderKeepsItsSnapshotWhileANewerOneIsCommitted(t *testing.T) {
	s, _ := newStore(t)
	id := mustSnapshot(t, s, 10, 3, "first")
	_, r, err := s.Open(id)
	if err != nil {
		t.Fatal(err)
	}
	mustSnapshot(t, s, 20, 4, "second")
	got, _ := io.ReadAll(r)
	r.Close()
	if string(got) != "first" {
		t.Fatalf("reader saw %q", got)
	}
}

func TestSnapshotStore_CancelKeepsThePreviousSnapshot(t *testing.T) {
	s, _ := newStore(t)
	mustSnapshot(t, s, 10, 3, "first")
	sink, err := s.Create(raft.SnapshotVersionMax, 20, 4, testConfiguration, 7, nil)
	if err != nil {
		t.Fatal(err)
	}
	sink.Write([]byte("partial"))
	if err := sink.Cancel(); err != nil {
		t.Fatal(err)
	}
	expectSnapshot(t, s, 10, 3, "first")
}

func TestSnapshotStore_AnUnsupportedVersionIsRefused(t *testing.T) {
	s, _ := newStore(t)
	if _, err := s.Create(raft.SnapshotVersionMax+1, 10, 3, testConfiguration, 7, nil); err == nil {
		t.Fatal("Create with a bad version succeeded")
	}
}

func TestSnapshotStore_ALargeSnapshotStreamsInChunks(t *testing.T) {
	s, _ := newStore(t)
	sink, err := s.Create(raft.SnapshotVersionMax, 10, 3, testConfiguration, 7, nil)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 64<<10)
	for i := range chunk {
		chunk[i] = byte(i)
	}
	for i := 0; i < 40; i++ {
		if _, err := sink.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	_, r, err := s.Open(sink.ID())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n, err := io.Copy(io.Discard, r)
	if err != nil || n != 40*int64(len(chunk)) {
		t.Fatalf("read %d bytes, %v", n, err)
	}
}
