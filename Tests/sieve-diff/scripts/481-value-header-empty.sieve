require ["fileinto", "variables"];
if header :matches "x-empty" "*" {
    fileinto "v-${0}";
}
