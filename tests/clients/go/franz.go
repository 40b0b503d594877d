package main

// franz-go 1.22: kgo for producing and consuming, kadm for admin.

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

type franz struct{}

func init() { clients["franz-go"] = franz{} }

var franzCodecs = map[string]kgo.CompressionCodec{"none": kgo.NoCompression(), "gzip": kgo.GzipCompression(),
	"snappy": kgo.SnappyCompression(), "lz4": kgo.Lz4Compression(), "zstd": kgo.ZstdCompression()}

func (franz) Produce(bootstrap, topic string, records []Record, codec string) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(bootstrap), kgo.ProducerBatchCompression(franzCodecs[codec]),
		kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.ProducerLinger(5*time.Millisecond))
	if err != nil {
		return err
	}
	defer cl.Close()
	var rs []*kgo.Record
	for _, r := range records {
		kr := &kgo.Record{Topic: topic, Value: []byte(r.Value), Partition: int32(r.Partition)}
		if r.Key != nil {
			kr.Key = []byte(*r.Key)
		}
		for _, h := range r.Headers {
			kr.Headers = append(kr.Headers, kgo.RecordHeader{Key: h[0], Value: []byte(h[1])})
		}
		rs = append(rs, kr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	return cl.ProduceSync(ctx, rs...).FirstErr()
}

func franzObserved(r *kgo.Record) Record {
	out := Record{Value: string(r.Value), Headers: [][2]string{}}
	if r.Key != nil {
		k := string(r.Key)
		out.Key = &k
	}
	for _, h := range r.Headers {
		out.Headers = append(out.Headers, [2]string{h.Key, string(h.Value)})
	}
	return out
}

func (franz) ReadBack(bootstrap, topic string, n int) ([]Record, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(bootstrap),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: {0: kgo.NewOffset().AtStart()}}))
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	var got []Record
	for len(got) < n {
		fetches := cl.PollFetches(ctx)
		if err := fetches.Err(); err != nil {
			return nil, err
		}
		fetches.EachRecord(func(r *kgo.Record) { got = append(got, franzObserved(r)) })
	}
	return got, nil
}

type franzMember struct {
	background
	opts    []kgo.Opt
	counted func(string)
}

func (franz) NewMember(bootstrap, topic, group string, counted func(string)) Member {
	m := &franzMember{counted: counted}
	// The callbacks get what changed (franz-go balances cooperatively by default).
	owned := map[int]bool{}
	change := func(own bool) func(context.Context, *kgo.Client, map[string][]int32) {
		return func(_ context.Context, _ *kgo.Client, parts map[string][]int32) {
			for _, p := range parts[topic] {
				owned[int(p)] = own
			}
			var ps []int
			for p, o := range owned {
				if o {
					ps = append(ps, p)
				}
			}
			m.set(ps)
		}
	}
	m.opts = []kgo.Opt{kgo.SeedBrokers(bootstrap), kgo.ConsumerGroup(group), kgo.ConsumeTopics(topic),
		kgo.DisableAutoCommit(), kgo.SessionTimeout(6 * time.Second), kgo.HeartbeatInterval(500 * time.Millisecond),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(100 * time.Millisecond),
		kgo.OnPartitionsAssigned(change(true)), kgo.OnPartitionsRevoked(change(false)),
		kgo.OnPartitionsLost(change(false))}
	return m
}

func (m *franzMember) Start() {
	cl, err := kgo.NewClient(m.opts...)
	if err != nil {
		panic(err)
	}
	m.run(func(stop context.Context) {
		for stop.Err() == nil {
			ctx, cancel := context.WithTimeout(stop, 100*time.Millisecond)
			fetches := cl.PollRecords(ctx, 1)
			cancel()
			fetches.EachRecord(func(r *kgo.Record) {
				cctx, ccancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer ccancel()
				if err := cl.CommitRecords(cctx, r); err == nil {
					m.counted(string(r.Value))
				} else {
					// Not committed: read it again if the partition is still ours.
					cl.SetOffsets(map[string]map[int32]kgo.EpochOffset{r.Topic: {r.Partition: {Epoch: -1, Offset: r.Offset}}})
				}
			})
		}
		cl.Close() // leaves the group
	})
}

func (franz) Admin(bootstrap, topic string) (map[string]any, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(bootstrap))
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	if _, err := adm.CreateTopic(ctx, 2, 1, nil, topic); err != nil {
		return nil, fmt.Errorf("create: %w", err)
	}
	// Kafka's metadata may lag the creation for a moment.
	var details kadm.TopicDetails
	if err := waitUntil("the new topic's metadata", func() bool {
		details, err = adm.ListTopics(ctx, topic)
		return err == nil && details[topic].Err == nil
	}); err != nil {
		return nil, fmt.Errorf("describe: %w", err)
	}
	value := "3600000"
	if _, err := adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Op: kadm.SetConfig, Name: "retention.ms", Value: &value}}, topic); err != nil {
		return nil, fmt.Errorf("alter configs: %w", err)
	}
	retention, err := readUntil(func() (string, error) {
		configs, err := adm.DescribeTopicConfigs(ctx, topic)
		if err != nil {
			return "", err
		}
		rc, err := configs.On(topic, nil)
		if err == nil {
			err = rc.Err
		}
		for _, c := range rc.Configs {
			if c.Key == "retention.ms" {
				return c.MaybeValue(), err
			}
		}
		return "", err
	}, value)
	if err != nil {
		return nil, fmt.Errorf("describe configs: %w", err)
	}
	if _, err := adm.DeleteTopic(ctx, topic); err != nil {
		return nil, fmt.Errorf("delete: %w", err)
	}
	err = waitUntil("the deleted topic to go", func() bool {
		d, err := adm.ListTopics(ctx)
		return err == nil && !d.Has(topic)
	})
	return map[string]any{"topic": details[topic].Topic, "partitions": len(details[topic].Partitions),
		"retention.ms": retention, "deleted": err == nil}, err
}
