require ["fileinto", "variables"];
if address :all :matches "cc" "*" {
    fileinto "v-${0}";
}
