// Command driver runs one Go Kafka client through the scenarios of
// tests/clients/README.md and prints what it observed as JSON.
// Usage: driver franz-go|sarama|kafka-go BOOTSTRAP codecs|group|admin PREFIX
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"sync"
	"time"
)

const (
	recordsPerCodec      = 5
	groupRecordsPerPhase = 10
	groupPartitions      = 3
	deadline             = 60 * time.Second
)

var allCodecs = []string{"none", "gzip", "snappy", "lz4", "zstd"}

// Record is what a driver sends and reads back; Partition is where it is sent.
type Record struct {
	Key       *string     `json:"key"`
	Value     string      `json:"value"`
	Headers   [][2]string `json:"headers"`
	Partition int         `json:"-"`
}

// Member is one consumer of the group walk; Assigned is safe to call from
// another goroutine.
type Member interface {
	Start()
	Stop()
	Assigned() []int
}

// Client is one library under test.
type Client interface {
	Produce(bootstrap, topic string, records []Record, codec string) error
	ReadBack(bootstrap, topic string, n int) ([]Record, error)
	NewMember(bootstrap, topic, group string, counted func(value string)) Member
	Admin(bootstrap, topic string) (map[string]any, error)
}

var clients = map[string]Client{}

func codecRecord(codec string, i int) Record {
	key := fmt.Sprintf("key-%d", i)
	return Record{Key: &key, Value: fmt.Sprintf("value-%d-%s", i, codec),
		Headers: [][2]string{{"index", fmt.Sprint(i)}, {"codec", codec}, {"dup", "a"}, {"dup", "b"}}}
}

func codecs(c Client, bootstrap, prefix string) (any, error) {
	out := map[string][]Record{}
	for _, codec := range allCodecs {
		topic := prefix + "-codec-" + codec
		var records []Record
		for i := 0; i < recordsPerCodec; i++ {
			records = append(records, codecRecord(codec, i))
		}
		if err := c.Produce(bootstrap, topic, records, codec); err != nil {
			return nil, fmt.Errorf("produce %s: %w", codec, err)
		}
		got, err := c.ReadBack(bootstrap, topic, recordsPerCodec)
		if err != nil {
			return nil, fmt.Errorf("read back %s: %w", codec, err)
		}
		out[codec] = got
	}
	return map[string]any{"codecs": out}, nil
}

func waitUntil(what string, cond func() bool) error {
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			return fmt.Errorf("waited %v for %s", deadline, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil
}

// settled: every member owns something and together they own each partition once.
func settled(members []Member) bool {
	seen := map[int]bool{}
	total := 0
	for _, m := range members {
		a := m.Assigned()
		if len(a) == 0 {
			return false
		}
		total += len(a)
		for _, p := range a {
			seen[p] = true
		}
	}
	return total == groupPartitions && len(seen) == groupPartitions
}

// groupWalk: two members share the topic, a third joins, the first leaves;
// each phase produces records once the group has settled. A record counts
// once its commit succeeded.
func groupWalk(c Client, bootstrap, prefix string) (any, error) {
	topic := prefix + "-group"
	var mu sync.Mutex
	var consumed []string
	counted := func(v string) { mu.Lock(); consumed = append(consumed, v); mu.Unlock() }
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(consumed) }
	members := []Member{}
	for n := 0; n < 3; n++ {
		members = append(members, c.NewMember(bootstrap, topic, prefix+"-g", counted))
	}
	defer func() {
		for _, m := range members {
			m.Stop()
		}
	}()
	var sizes [][]int
	phase := func(live []Member, number int) error {
		if err := waitUntil(fmt.Sprintf("the group to settle in phase %d", number), func() bool { return settled(live) }); err != nil {
			return err
		}
		var s []int
		for _, m := range live {
			s = append(s, len(m.Assigned()))
		}
		sort.Ints(s)
		sizes = append(sizes, s)
		var records []Record
		for i := 0; i < groupRecordsPerPhase; i++ {
			records = append(records, Record{Value: fmt.Sprintf("g-%d-%02d", number, i), Partition: i % groupPartitions})
		}
		if err := c.Produce(bootstrap, topic, records, "none"); err != nil {
			return err
		}
		return waitUntil(fmt.Sprintf("phase %d's records", number), func() bool { return count() >= groupRecordsPerPhase*(number+1) })
	}
	members[0].Start()
	members[1].Start()
	if err := phase(members[:2], 0); err != nil {
		return nil, err
	}
	members[2].Start()
	if err := phase(members, 1); err != nil {
		return nil, err
	}
	members[0].Stop()
	if err := phase(members[1:], 2); err != nil {
		return nil, err
	}
	time.Sleep(500 * time.Millisecond) // a redelivery would show up here
	mu.Lock()
	defer mu.Unlock()
	sort.Strings(consumed)
	return map[string]any{"group": map[string]any{"assignment_sizes": sizes, "consumed": consumed}}, nil
}

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: driver CLIENT BOOTSTRAP codecs|group|admin PREFIX")
		os.Exit(2)
	}
	c, ok := clients[os.Args[1]]
	if !ok {
		fmt.Fprintln(os.Stderr, "unknown client", os.Args[1])
		os.Exit(2)
	}
	bootstrap, scenario, prefix := os.Args[2], os.Args[3], os.Args[4]
	var out any
	var err error
	switch scenario {
	case "codecs":
		out, err = codecs(c, bootstrap, prefix)
	case "group":
		out, err = groupWalk(c, bootstrap, prefix)
	case "admin":
		var a map[string]any
		a, err = c.Admin(bootstrap, prefix+"-admin")
		out = map[string]any{"admin": a}
	default:
		err = fmt.Errorf("unknown scenario %q", scenario)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	json.NewEncoder(os.Stdout).Encode(out)
}

// assignedSet guards a member's partitions, written by the client's callbacks.
type assignedSet struct {
	mu         sync.Mutex
	partitions []int
}

func (a *assignedSet) set(p []int) {
	a.mu.Lock()
	a.partitions = append([]int(nil), p...)
	a.mu.Unlock()
}
func (a *assignedSet) Assigned() []int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]int(nil), a.partitions...)
}

// readUntil calls read until it returns wanted or the deadline passes, and
// returns the last value: Kafka applies a config change through its metadata
// log, so a describe right after the alter may still show the old value.
func readUntil(read func() (string, error), wanted string) (string, error) {
	end := time.Now().Add(deadline)
	for {
		v, err := read()
		if (err == nil && v == wanted) || time.Now().After(end) {
			return v, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// background runs a member's loop on its own goroutine; stop cancels the loop's
// context and waits for it, once, and forgets the assignment.
type background struct {
	assignedSet
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

func (b *background) run(loop func(ctx context.Context)) {
	ctx, cancel := context.WithCancel(context.Background())
	b.cancel, b.done = cancel, make(chan struct{})
	go func() { defer close(b.done); loop(ctx) }()
}

func (b *background) Stop() {
	b.once.Do(func() {
		if b.cancel != nil {
			b.cancel()
			<-b.done
		}
		b.set(nil)
	})
}
