/** Where the producers connect: the first argument, else KAFKA_BOOTSTRAP_SERVERS, else the article's localhost:9092. */
final class Bootstrap {
    private Bootstrap() {
    }

    static String servers(String[] args) {
        if (args.length > 0) {
            return args[0];
        }
        String env = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        return env != null && !env.isEmpty() ? env : "localhost:9092";
    }
}
