require ["fileinto", "variables", "body"];
if body :text :matches "*" {
    fileinto "v-${0}";
}
