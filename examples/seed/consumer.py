# The seed article's consumer (kafka-python): prints every record of
# my-topic produced after it starts. The broker's address is the first
# argument (the article has the default, localhost:9092).
import sys

from kafka import KafkaConsumer

bootstrap = sys.argv[1] if len(sys.argv) > 1 else "localhost:9092"
for message in KafkaConsumer('my-topic', bootstrap_servers=bootstrap):
    print(message.value.decode('utf-8'), flush=True)
