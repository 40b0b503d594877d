package main

// IBM/sarama 1.61 with its default protocol version: SyncProducer, Consumer,
// ConsumerGroup and ClusterAdmin.

import (
	"context"
	"fmt"
	"time"

	"github.com/IBM/sarama"
)

type saramaClient struct{}

func init() { clients["sarama"] = saramaClient{} }

var saramaCodecs = map[string]sarama.CompressionCodec{"none": sarama.CompressionNone, "gzip": sarama.CompressionGZIP,
	"snappy": sarama.CompressionSnappy, "lz4": sarama.CompressionLZ4, "zstd": sarama.CompressionZSTD}

func (saramaClient) Produce(bootstrap, topic string, records []Record, codec string) error {
	cfg := sarama.NewConfig()
	cfg.Producer.Compression = saramaCodecs[codec]
	cfg.Producer.Return.Successes = true
	cfg.Producer.Partitioner = sarama.NewManualPartitioner
	p, err := sarama.NewSyncProducer([]string{bootstrap}, cfg)
	if err != nil {
		return err
	}
	defer p.Close()
	var msgs []*sarama.ProducerMessage
	for _, r := range records {
		m := &sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder(r.Value), Partition: int32(r.Partition)}
		if r.Key != nil {
			m.Key = sarama.StringEncoder(*r.Key)
		}
		for _, h := range r.Headers {
			m.Headers = append(m.Headers, sarama.RecordHeader{Key: []byte(h[0]), Value: []byte(h[1])})
		}
		msgs = append(msgs, m)
	}
	return p.SendMessages(msgs)
}

func saramaObserved(m *sarama.ConsumerMessage) Record {
	out := Record{Value: string(m.Value), Headers: [][2]string{}}
	if m.Key != nil {
		k := string(m.Key)
		out.Key = &k
	}
	for _, h := range m.Headers {
		out.Headers = append(out.Headers, [2]string{string(h.Key), string(h.Value)})
	}
	return out
}

func (saramaClient) ReadBack(bootstrap, topic string, n int) ([]Record, error) {
	c, err := sarama.NewConsumer([]string{bootstrap}, sarama.NewConfig())
	if err != nil {
		return nil, err
	}
	defer c.Close()
	pc, err := c.ConsumePartition(topic, 0, sarama.OffsetOldest)
	if err != nil {
		return nil, err
	}
	defer pc.Close()
	var got []Record
	timeout := time.After(deadline)
	for len(got) < n {
		select {
		case m := <-pc.Messages():
			got = append(got, saramaObserved(m))
		case err := <-pc.Errors():
			return nil, err
		case <-timeout:
			return nil, fmt.Errorf("read %d of %d records", len(got), n)
		}
	}
	return got, nil
}

type saramaMember struct {
	background
	bootstrap, topic, group string
	counted                 func(string)
}

func (saramaClient) NewMember(bootstrap, topic, group string, counted func(string)) Member {
	return &saramaMember{bootstrap: bootstrap, topic: topic, group: group, counted: counted}
}

func (m *saramaMember) Setup(s sarama.ConsumerGroupSession) error {
	var ps []int
	for _, p := range s.Claims()[m.topic] {
		ps = append(ps, int(p))
	}
	m.set(ps)
	return nil
}

func (m *saramaMember) Cleanup(sarama.ConsumerGroupSession) error { m.set(nil); return nil }

// ConsumeClaim commits each record (synchronously: auto-commit is off) before
// counting it, and stops taking records once the session ends. Sarama rejoins
// only after every ConsumeClaim returned, so the commit is still the
// generation's own (sarama reports commit errors only through its log).
func (m *saramaMember) ConsumeClaim(s sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for {
		select {
		case msg, ok := <-claim.Messages():
			if !ok {
				return nil
			}
			s.MarkMessage(msg, "")
			s.Commit()
			m.counted(string(msg.Value))
		case <-s.Context().Done():
			return nil
		}
	}
}

func (m *saramaMember) Start() {
	cfg := sarama.NewConfig()
	cfg.Consumer.Offsets.AutoCommit.Enable = false
	cfg.Consumer.Offsets.Initial = sarama.OffsetOldest
	cfg.Consumer.Group.Session.Timeout = 6 * time.Second
	cfg.Consumer.Group.Heartbeat.Interval = 500 * time.Millisecond
	cfg.Consumer.MaxWaitTime = 100 * time.Millisecond
	g, err := sarama.NewConsumerGroup([]string{m.bootstrap}, m.group, cfg)
	if err != nil {
		panic(err)
	}
	m.run(func(ctx context.Context) {
		for ctx.Err() == nil {
			if err := g.Consume(ctx, []string{m.topic}, m); err != nil && ctx.Err() == nil {
				time.Sleep(100 * time.Millisecond)
			}
		}
		g.Close() // leaves the group
	})
}

func (saramaClient) Admin(bootstrap, topic string) (map[string]any, error) {
	a, err := sarama.NewClusterAdmin([]string{bootstrap}, sarama.NewConfig())
	if err != nil {
		return nil, err
	}
	defer a.Close()
	if err := a.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: 2, ReplicationFactor: 1}, false); err != nil {
		return nil, fmt.Errorf("create: %w", err)
	}
	var meta []*sarama.TopicMetadata
	if err := waitUntil("the new topic's metadata", func() bool {
		meta, err = a.DescribeTopics([]string{topic})
		return err == nil && len(meta) == 1 && meta[0].Err == sarama.ErrNoError
	}); err != nil {
		return nil, fmt.Errorf("describe: %w", err)
	}
	value := "3600000"
	if err := a.IncrementalAlterConfig(sarama.TopicResource, topic, map[string]sarama.IncrementalAlterConfigsEntry{
		"retention.ms": {Operation: sarama.IncrementalAlterConfigsOperationSet, Value: &value}}, false); err != nil {
		return nil, fmt.Errorf("alter configs: %w", err)
	}
	retention, err := readUntil(func() (string, error) {
		entries, err := a.DescribeConfig(sarama.ConfigResource{Type: sarama.TopicResource, Name: topic,
			ConfigNames: []string{"retention.ms"}})
		if err != nil || len(entries) != 1 {
			return "", fmt.Errorf("%v %v", err, entries)
		}
		return entries[0].Value, nil
	}, value)
	if err != nil {
		return nil, fmt.Errorf("describe configs: %w", err)
	}
	if err := a.DeleteTopic(topic); err != nil {
		return nil, fmt.Errorf("delete: %w", err)
	}
	err = waitUntil("the deleted topic to go", func() bool {
		topics, err := a.ListTopics()
		_, there := topics[topic]
		return err == nil && !there
	})
	return map[string]any{"topic": meta[0].Name, "partitions": len(meta[0].Partitions),
		"retention.ms": retention, "deleted": err == nil}, err
}
