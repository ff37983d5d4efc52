require ["fileinto", "variables"];
if header :matches "subject" "*" {
    fileinto "v-${0}";
}
