require ["fileinto", "variables", "index"];
if header :index 1 :last :matches "x-d" "*" {
    fileinto "v-${0}";
}
