require ["fileinto", "variables", "envelope"];
if envelope :all :matches "from" "*" {
    fileinto "v-${0}";
}
