require ["fileinto", "variables", "index"];
if header :index 2 :matches "x-d" "*" {
    fileinto "v-${0}";
}
