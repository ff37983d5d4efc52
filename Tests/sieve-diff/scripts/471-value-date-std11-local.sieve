require ["fileinto", "variables", "date"];
if date :matches "date" "std11" "*" {
    fileinto "v-${0}";
}
