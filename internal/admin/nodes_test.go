package admin

import (
	"reflect"
	"testing"

	"github.com/hoardstore/hoard/internal/storage"
)

func TestNodesOf(t *testing.T) {
	drives := []storage.DriveInfo{
		{Endpoint: "http://node1:9000/d1", State: "online"},
		{Endpoint: "http://node1:9000/d2", State: "online"},
		{Endpoint: "http://node2:9000/d1", State: "offline"},
		{Endpoint: "http://node2:9000/d2", State: "healing"},
		{Endpoint: "https://node3:9000/d1", State: "offline"},
	}
	want := []NodeInfo{
		{Address: "node1:9000", State: "online", Drives: 2, OnlineDrives: 2},
		{Address: "node2:9000", State: "degraded", Drives: 2, OnlineDrives: 1},
		{Address: "node3:9000", State: "offline", Drives: 1, OnlineDrives: 0},
	}
	if got := nodesOf(drives); !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if got := nodesOf([]storage.DriveInfo{{Endpoint: "/mnt/d1", State: "online"}}); got != nil {
		t.Errorf("local drives: got %+v, want no nodes", got)
	}
}
