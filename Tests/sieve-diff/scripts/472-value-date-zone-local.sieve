require ["fileinto", "variables", "date"];
if date :matches "date" "zone" "*" {
    fileinto "v-${0}";
}
