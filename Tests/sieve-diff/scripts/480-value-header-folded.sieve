require ["fileinto", "variables"];
if header :matches "received" "*" {
    fileinto "v-${0}";
}
