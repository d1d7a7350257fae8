package io.rlstream.producers.prompts;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * Parquet files in verl's column layout, as verl's examples/data_preprocess/gsm8k.py writes them:
 * {@code data_source}, {@code prompt} (a list of {role, content}), {@code ability},
 * {@code reward_model {style, ground_truth}}, {@code extra_info {split, index, answer, question}}.
 */
final class VerlParquet {

    /** One row: the chat, and the fields around it. */
    record Row(String dataSource, List<String[]> prompt, String groundTruth, long index, String split) {
    }

    static final Schema MESSAGE = SchemaBuilder.record("message").fields()
            .requiredString("role").requiredString("content").endRecord();
    static final Schema ROW = SchemaBuilder.record("verl_row").fields()
            .requiredString("data_source")
            .name("prompt").type().array().items(MESSAGE).noDefault()
            .requiredString("ability")
            .name("reward_model").type(SchemaBuilder.record("reward_model").fields()
                    .requiredString("style").optionalString("ground_truth").endRecord()).noDefault()
            .name("extra_info").type(SchemaBuilder.record("extra_info").fields()
                    .requiredString("split").requiredLong("index").requiredString("question").endRecord()).noDefault()
            .endRecord();

    private VerlParquet() {
    }

    /*
     * builder(...) and withConf(...) are overloaded with Hadoop types (fs.Path, conf.Configuration);
     * javac needs those classes to choose between overloads, and producers has no Hadoop on its class
     * path (on purpose: the reader must work without it). So the OutputFile and ParquetConfiguration
     * overloads are called by reflection.
     */
    @SuppressWarnings("unchecked")
    private static <T> T invoke(Class<?> type, Object target, String name, Class<?> parameter, Object argument) {
        try {
            // A method handle resolves this one method; Class.getMethod would load every overload's types.
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            if (target == null) {
                return (T) lookup.findStatic(type, name, MethodType.methodType(type == ExampleParquetWriter.class
                        ? ExampleParquetWriter.Builder.class : AvroParquetWriter.Builder.class, parameter)).invoke(argument);
            }
            return (T) lookup.findVirtual(type, name, MethodType.methodType(ParquetWriter.Builder.class, parameter))
                    .invoke(target, argument);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static <B> B withConf(B builder, ParquetConfiguration conf) {
        return invoke(ParquetWriter.Builder.class, builder, "withConf", ParquetConfiguration.class, conf);
    }

    /** Written with parquet-avro, lists in the 3-level LIST layout of pyarrow (not parquet-avro's old 2-level one). */
    static void writeWithParquetAvro(Path file, List<Row> rows) throws IOException {
        PlainParquetConfiguration conf = new PlainParquetConfiguration();
        conf.setBoolean(AvroWriteSupport.WRITE_OLD_LIST_STRUCTURE, false);
        AvroParquetWriter.Builder<GenericRecord> builder = withConf(
                invoke(AvroParquetWriter.class, null, "builder", OutputFile.class, new LocalOutputFile(file)), conf);
        try (ParquetWriter<GenericRecord> w = builder.withSchema(ROW).withDataModel(GenericData.get()).build()) {
            for (Row r : rows) {
                GenericRecord rec = new GenericData.Record(ROW);
                rec.put("data_source", r.dataSource());
                List<GenericRecord> chat = r.prompt().stream().map(m -> {
                    GenericRecord msg = new GenericData.Record(MESSAGE);
                    msg.put("role", m[0]);
                    msg.put("content", m[1]);
                    return msg;
                }).toList();
                rec.put("prompt", chat);
                rec.put("ability", "math");
                GenericRecord reward = new GenericData.Record(ROW.getField("reward_model").schema());
                reward.put("style", "rule");
                reward.put("ground_truth", r.groundTruth());
                rec.put("reward_model", reward);
                GenericRecord extra = new GenericData.Record(ROW.getField("extra_info").schema());
                extra.put("split", r.split());
                extra.put("index", r.index());
                extra.put("question", r.prompt().get(r.prompt().size() - 1)[1]);
                rec.put("extra_info", extra);
                w.write(rec);
            }
        }
    }

    /**
     * The schema pyarrow (and so Hugging Face datasets' to_parquet, which verl's scripts call)
     * writes for verl's columns: every field optional, lists as {@code LIST} groups of a repeated
     * {@code list} group holding an {@code element}; no Avro schema in the file's metadata.
     */
    static final MessageType PYARROW = MessageTypeParser.parseMessageType("""
            message schema {
              optional binary data_source (STRING);
              optional group prompt (LIST) {
                repeated group list {
                  optional group element {
                    optional binary content (STRING);
                    optional binary role (STRING);
                  }
                }
              }
              optional binary ability (STRING);
              optional group reward_model {
                optional binary ground_truth (STRING);
                optional binary style (STRING);
              }
              optional group extra_info {
                optional int64 index;
                optional binary split (STRING);
              }
            }
            """);

    /** Written with parquet's example writer in pyarrow's schema (the file a Python user brings). */
    static void writeLikePyarrow(Path file, List<Row> rows) throws IOException {
        SimpleGroupFactory groups = new SimpleGroupFactory(PYARROW);
        ExampleParquetWriter.Builder builder = withConf(
                invoke(ExampleParquetWriter.class, null, "builder", OutputFile.class, new LocalOutputFile(file)),
                new PlainParquetConfiguration());
        try (ParquetWriter<Group> w = builder.withType(PYARROW).build()) {
            for (Row r : rows) {
                Group g = groups.newGroup();
                g.append("data_source", r.dataSource());
                Group prompt = g.addGroup("prompt");
                for (String[] m : r.prompt()) {
                    Group element = prompt.addGroup("list").addGroup("element");
                    element.append("content", m[1]);
                    element.append("role", m[0]);
                }
                g.append("ability", "math");
                Group reward = g.addGroup("reward_model");
                if (r.groundTruth() != null) {
                    reward.append("ground_truth", r.groundTruth());
                }
                reward.append("style", "rule");
                Group extra = g.addGroup("extra_info");
                extra.append("index", r.index());
                extra.append("split", r.split());
                w.write(g);
            }
        }
    }
}
