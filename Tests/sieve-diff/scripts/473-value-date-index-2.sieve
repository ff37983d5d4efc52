require ["fileinto", "variables", "date", "index"];
if date :index 2 :zone "+0000" :matches "x-d" "hour" "*" {
    fileinto "v-${0}";
}
