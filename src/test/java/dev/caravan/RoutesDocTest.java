package dev.caravan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import dev.caravan.api.FlowVariable;
import dev.caravan.api.FlowVariables;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/routes.md and the code agree: its recipes are the tested files, its table every flow variable. */
class RoutesDocTest {

    private static final Path DOC = Path.of("docs/routes.md");

    @Test
    void everyRecipeIsInTheDocsExactlyAsTested() throws IOException {
        String doc = Files.readString(DOC);
        List<Path> recipes;
        try (Stream<Path> files = Files.list(Path.of("src/test/resources/recipes"))) {
            recipes = files.filter(f -> f.toString().endsWith(".camel.yaml")).sorted().toList();
        }
        assertThat(recipes).isNotEmpty();
        for (Path recipe : recipes) {
            // the file's leading comment says where it comes from; the rest is the recipe
            List<String> lines = Files.readAllLines(recipe);
            int start = 0;
            while (start < lines.size() && lines.get(start).startsWith("#")) {
                start++;
            }
            String yaml = String.join("\n", lines.subList(start, lines.size())).strip();
            assertThat(doc).as(recipe.toString()).contains("```yaml\n" + yaml + "\n```");
        }
    }

    @Test
    void listsEveryFlowVariableOnce() throws IOException {
        String doc = Files.readString(DOC);
        for (FlowVariable<?> variable : FlowVariables.ALL) {
            assertThat(doc).as(variable.name()).contains("| `" + variable.name() + "` |");
            assertThat(doc).as(variable.name()).contains(variable.writtenBy().split(" ")[0]);
        }
        String table = doc.substring(doc.indexOf("## The variables the steps share"));
        table = table.substring(0, table.indexOf("\n## ", 1));
        long rows = table.lines().filter(l -> l.matches("\\| `[a-zA-Z]+` \\| .*")).count();
        assertThat(rows).as("rows of the variables table").isEqualTo(FlowVariables.ALL.size());
    }
}
