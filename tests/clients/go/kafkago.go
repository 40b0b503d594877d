package main

// segmentio/kafka-go 0.4.51: Writer, Reader, ConsumerGroup (whose
// generations expose the assignment) and Client for admin.

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
)

type kafkaGo struct{}

func init() { clients["kafka-go"] = kafkaGo{} }

var kafkaGoCodecs = map[string]kafka.Compression{"none": 0, "gzip": kafka.Gzip, "snappy": kafka.Snappy,
	"lz4": kafka.Lz4, "zstd": kafka.Zstd}

func (kafkaGo) Produce(bootstrap, topic string, records []Record, codec string) error {
	partitionOf := map[string]int{}
	var msgs []kafka.Message
	for _, r := range records {
		partitionOf[r.Value] = r.Partition
		m := kafka.Message{Value: []byte(r.Value)}
		if r.Key != nil {
			m.Key = []byte(*r.Key)
		}
		for _, h := range r.Headers {
			m.Headers = append(m.Headers, kafka.Header{Key: h[0], Value: []byte(h[1])})
		}
		msgs = append(msgs, m)
	}
	w := &kafka.Writer{Addr: kafka.TCP(bootstrap), Topic: topic, Compression: kafkaGoCodecs[codec],
		RequiredAcks: kafka.RequireAll, BatchTimeout: 5 * time.Millisecond,
		// The Writer chooses partitions through its balancer only.
		Balancer: kafka.BalancerFunc(func(m kafka.Message, _ ...int) int { return partitionOf[string(m.Value)] })}
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	return w.WriteMessages(ctx, msgs...)
}

func kafkaGoObserved(m kafka.Message) Record {
	out := Record{Value: string(m.Value), Headers: [][2]string{}}
	if m.Key != nil {
		k := string(m.Key)
		out.Key = &k
	}
	for _, h := range m.Headers {
		out.Headers = append(out.Headers, [2]string{h.Key, string(h.Value)})
	}
	return out
}

func (kafkaGo) ReadBack(bootstrap, topic string, n int) ([]Record, error) {
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{bootstrap}, Topic: topic, Partition: 0,
		MaxWait: 100 * time.Millisecond})
	defer r.Close()
	if err := r.SetOffset(kafka.FirstOffset); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	var got []Record
	for len(got) < n {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			return nil, err
		}
		got = append(got, kafkaGoObserved(m))
	}
	return got, nil
}

type kafkaGoMember struct {
	background
	cfg     kafka.ConsumerGroupConfig
	counted func(string)
	genMu   sync.Mutex
	genID   int32
}

func (kafkaGo) NewMember(bootstrap, topic, group string, counted func(string)) Member {
	return &kafkaGoMember{counted: counted, cfg: kafka.ConsumerGroupConfig{
		ID: group, Brokers: []string{bootstrap}, Topics: []string{topic}, StartOffset: kafka.FirstOffset,
		SessionTimeout: 6 * time.Second, HeartbeatInterval: 500 * time.Millisecond,
		RebalanceTimeout: 10 * time.Second, JoinGroupBackoff: 200 * time.Millisecond}}
}

// consume reads one assigned partition for as long as its generation lasts,
// counting each record once its commit succeeded.
func (m *kafkaGoMember) consume(ctx context.Context, gen *kafka.Generation, topic string, a kafka.PartitionAssignment) {
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: m.cfg.Brokers, Topic: topic, Partition: a.ID,
		MaxWait: 100 * time.Millisecond})
	defer r.Close()
	if err := r.SetOffset(a.Offset); err != nil {
		return
	}
	for {
		msg, err := r.ReadMessage(ctx)
		if err != nil {
			return
		}
		if gen.CommitOffsets(map[string]map[int]int64{topic: {a.ID: msg.Offset + 1}}) != nil {
			return // the generation ended; the partition's next owner reads on from the commit
		}
		m.counted(string(msg.Value))
	}
}

func (m *kafkaGoMember) Start() {
	g, err := kafka.NewConsumerGroup(m.cfg)
	if err != nil {
		panic(err)
	}
	m.run(func(ctx context.Context) {
		defer g.Close() // leaves the group
		for {
			gen, err := g.Next(ctx)
			if errors.Is(err, context.Canceled) || errors.Is(err, kafka.ErrGroupClosed) {
				return
			} else if err != nil {
				time.Sleep(100 * time.Millisecond)
				continue
			}
			var ps []int
			for topic, assignments := range gen.Assignments {
				for _, a := range assignments {
					ps = append(ps, a.ID)
					topic, a := topic, a
					gen.Start(func(ctx context.Context) { m.consume(ctx, gen, topic, a) })
				}
			}
			m.genMu.Lock()
			m.genID = gen.ID
			m.genMu.Unlock()
			m.set(ps)
			gen.Start(func(ctx context.Context) { // forget the assignment when the generation ends
				<-ctx.Done()
				m.genMu.Lock()
				if m.genID == gen.ID {
					m.set(nil)
				}
				m.genMu.Unlock()
			})
		}
	})
}

func (kafkaGo) Admin(bootstrap, topic string) (map[string]any, error) {
	c := &kafka.Client{Addr: kafka.TCP(bootstrap), Timeout: deadline}
	ctx := context.Background()
	created, err := c.CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{
		{Topic: topic, NumPartitions: 2, ReplicationFactor: 1}}})
	if err != nil || created.Errors[topic] != nil {
		return nil, fmt.Errorf("create: %v %v", err, created)
	}
	var meta *kafka.MetadataResponse
	if err := waitUntil("the new topic's metadata", func() bool {
		meta, err = c.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
		return err == nil && len(meta.Topics) == 1 && meta.Topics[0].Error == nil
	}); err != nil {
		return nil, fmt.Errorf("describe: %w", err)
	}
	altered, err := c.IncrementalAlterConfigs(ctx, &kafka.IncrementalAlterConfigsRequest{
		Resources: []kafka.IncrementalAlterConfigsRequestResource{{ResourceType: kafka.ResourceTypeTopic,
			ResourceName: topic, Configs: []kafka.IncrementalAlterConfigsRequestConfig{
				{Name: "retention.ms", Value: "3600000", ConfigOperation: kafka.ConfigOperationSet}}}}})
	if err != nil || altered.Resources[0].Error != nil {
		return nil, fmt.Errorf("alter configs: %v %v", err, altered)
	}
	retention, err := readUntil(func() (string, error) {
		described, err := c.DescribeConfigs(ctx, &kafka.DescribeConfigsRequest{Resources: []kafka.DescribeConfigRequestResource{
			{ResourceType: kafka.ResourceTypeTopic, ResourceName: topic, ConfigNames: []string{"retention.ms"}}}})
		if err != nil || described.Resources[0].Error != nil || len(described.Resources[0].ConfigEntries) != 1 {
			return "", fmt.Errorf("%v %+v", err, described)
		}
		return described.Resources[0].ConfigEntries[0].ConfigValue, nil
	}, "3600000")
	if err != nil {
		return nil, fmt.Errorf("describe configs: %w", err)
	}
	deleted, err := c.DeleteTopics(ctx, &kafka.DeleteTopicsRequest{Topics: []string{topic}})
	if err != nil || deleted.Errors[topic] != nil {
		return nil, fmt.Errorf("delete: %v %v", err, deleted)
	}
	err = waitUntil("the deleted topic to go", func() bool {
		all, err := c.Metadata(ctx, &kafka.MetadataRequest{})
		if err != nil {
			return false
		}
		for _, t := range all.Topics {
			if t.Name == topic {
				return false
			}
		}
		return true
	})
	return map[string]any{"topic": meta.Topics[0].Name, "partitions": len(meta.Topics[0].Partitions),
		"retention.ms": retention, "deleted": err == nil}, err
}
